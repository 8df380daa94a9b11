# docs
dist_man_MANS += docs/hako.8
