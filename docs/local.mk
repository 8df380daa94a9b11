# docs
dist_man_MANS += docs/hako.8
EXTRA_DIST += docs/security.md
EXTRA_DIST += docs/runtime-tools.md
