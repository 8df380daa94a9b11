/* Placeholder main; the CLI lands with the cli work. */
#include "config.h"

#include <stdio.h>

#include "version.h"

int
main (void)
{
  printf ("hako version %s\ncommit: %s\nspec: %s\n%s\n", hako_version (), hako_commit (),
          HAKO_SPEC_VERSION, hako_build_features ());
  return 0;
}
