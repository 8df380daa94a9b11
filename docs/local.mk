# docs
dist_man_MANS += docs/hako.8
EXTRA_DIST += docs/runtime-tools.md
