/* `hako features`: the runtime-spec features document (features.md), built
 * from what this hako implements and was built with. */
#ifndef HAKO_FEATURES_H
#define HAKO_FEATURES_H

#include "error.h"
#include "oci.h"

/* A new struct oci_features (free with oci_features_free). */
struct oci_features *hako_features_build (struct hako_error *err);

#endif
