/*
 * The few Node-API declarations udp-batch.c uses, written out so the addon builds with
 * nothing but a C compiler (no node-gyp, no Node headers package). Node-API is an ABI-
 * stable C interface: these types and prototypes are fixed by the Node-API documentation
 * (https://nodejs.org/api/n-api.html) and do not change between Node versions.
 */
#ifndef UKETSUKE_NAPI_DECLS_H
#define UKETSUKE_NAPI_DECLS_H

#include <stddef.h>
#include <stdint.h>

typedef struct napi_env__ *napi_env;
typedef struct napi_value__ *napi_value;
typedef struct napi_callback_info__ *napi_callback_info;
typedef napi_value (*napi_callback)(napi_env env, napi_callback_info info);

/* napi_status: only napi_ok (0) is compared against. */
typedef int napi_status;
#define napi_ok 0

/* napi_typedarray_type, in the documented order. */
typedef enum {
  napi_int8_array,
  napi_uint8_array,
  napi_uint8_clamped_array,
  napi_int16_array,
  napi_uint16_array,
  napi_int32_array,
  napi_uint32_array,
  napi_float32_array,
  napi_float64_array,
  napi_bigint64_array,
  napi_biguint64_array,
} napi_typedarray_type;

#define NAPI_EXPORT __attribute__((visibility("default")))

napi_status napi_get_cb_info(napi_env env, napi_callback_info cbinfo, size_t *argc,
                             napi_value *argv, napi_value *this_arg, void **data);
napi_status napi_get_typedarray_info(napi_env env, napi_value typedarray,
                                     napi_typedarray_type *type, size_t *length, void **data,
                                     napi_value *arraybuffer, size_t *byte_offset);
napi_status napi_get_value_int32(napi_env env, napi_value value, int32_t *result);
napi_status napi_get_value_string_utf8(napi_env env, napi_value value, char *buf,
                                       size_t bufsize, size_t *result);
napi_status napi_create_int32(napi_env env, int32_t value, napi_value *result);
napi_status napi_create_function(napi_env env, const char *utf8name, size_t length,
                                 napi_callback cb, void *data, napi_value *result);
napi_status napi_set_named_property(napi_env env, napi_value object, const char *utf8name,
                                    napi_value value);
napi_status napi_throw_type_error(napi_env env, const char *code, const char *msg);

#endif
