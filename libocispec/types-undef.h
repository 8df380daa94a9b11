/* Ends one expansion of types.def (see schema.h). No include guard: it is
 * included once after each expansion. */
#undef OCI_TYPE_BEGIN
#undef OCI_TYPE_END
#undef OCI_STRING
#undef OCI_ENUM
#undef OCI_PATTERN
#undef OCI_BOOL
#undef OCI_INT
#undef OCI_UINT
#undef OCI_OBJECT
#undef OCI_RAW
#undef OCI_STRINGS
#undef OCI_ENUMS
#undef OCI_PATTERNS
#undef OCI_UINTS
#undef OCI_OBJECTS
#undef OCI_STRMAP
#undef OCI_OBJMAP
