# contrib
EXTRA_DIST += contrib/setup.sh contrib/fuzz.sh contrib/demo.sh contrib/test.sh
