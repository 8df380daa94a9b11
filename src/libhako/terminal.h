/* Terminals: the container's pty (terminal.c), handing its master to a
 * --console-socket listener (console-socket.c), and the copy loop between
 * our stdio and the master for `run -t` / `exec -t` without a console
 * socket (terminal-proxy.c).  hako_terminal_setup is declared in init.h. */
#ifndef HAKO_TERMINAL_H
#define HAKO_TERMINAL_H

#include "error.h"

/* The name sent with the pty master over a console socket, as runc does
 * (the receiver may use it as the file's name; nobody relies on it). */
#define HAKO_CONSOLE_FD_NAME "/dev/ptmx"

/* Connect a SOCK_STREAM unix socket to PATH, also when PATH does not fit
 * in sun_path (then through /proc/self/fd/N/<name> of its directory).
 * Returns the CLOEXEC socket fd. */
int hako_console_socket_connect (const char *path, struct hako_error *err);

/* Send FD with SCM_RIGHTS; the payload is NAME (runc's protocol: the
 * file's name, without a NUL).  Works on stream and seqpacket sockets. */
int hako_send_fd (int sock, int fd, const char *name, struct hako_error *err);
/* The same with a payload of any length (the seccomp agent's state JSON:
 * annotations make it grow past a file name's limit). */
int hako_send_fd_payload (int sock, int fd, const char *payload, struct hako_error *err);

/* Receive one fd sent by hako_send_fd (or runc, or crun); *NAME (if not
 * NULL) gets the payload, malloc'ed.  Returns the fd, CLOEXEC. */
int hako_recv_fd (int sock, char **name, struct hako_error *err);

/* Copy our stdin to MASTER_FD and MASTER_FD to our stdout until the pty
 * hangs up (every slave fd closed), or, once the process behind PIDFD has
 * exited, until the master stays silent for a moment (a background
 * process may keep the slave open).  PIDFD may be -1.  A terminal on
 * stdin is put in raw mode and restored before returning; SIGWINCH
 * resizes the pty; SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2
 * are forwarded to PIDFD meanwhile (without PIDFD they end the proxy with
 * an error, after the terminal is restored). */
int hako_terminal_proxy (int master_fd, int pidfd, struct hako_error *err);

#endif
