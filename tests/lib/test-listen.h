/* Test helper: listen on a unix stream socket at a path of any length. */
#ifndef HAKO_TEST_LISTEN_H
#define HAKO_TEST_LISTEN_H

/* Listen on PATH atomically (bind a temporary name beside it, relative to
 * an O_PATH fd of its directory, then rename), so that PATH existing means
 * the socket accepts.  Returns the socket, or -1 after a message. */
int test_listen_unix (const char *path);

#endif
