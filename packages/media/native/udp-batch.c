/*
 * udp-batch: send a batch of prepared datagrams across many UDP sockets in one call.
 *
 * Each RTP stream has its own socket (symmetric RTP: a call sends from the port it
 * receives on), so a media worker's sub-tick is one datagram on each of hundreds of
 * sockets. node:dgram pays a JS -> C++ -> libuv round trip (and a SendWrap) per datagram;
 * here JS registers (fd, destination) once per stream in a destination table it owns,
 * writes the sub-tick's packets into one shared buffer, and hands over the whole list:
 * the loop of sendto(2) calls runs in C.
 *
 * Destination table: a Uint8Array of ENTRY_SIZE-byte entries (index = slot):
 *   int32 fd (-1: unused) | int32 address length | struct sockaddr_in / sockaddr_in6
 * Batch: an Int32Array of (slot, offset, length) triples into the packet buffer.
 *
 * Sends never block (MSG_DONTWAIT) and never throw for a failed datagram: RTP is lossy
 * (RFC 3550 §2.2 leaves recovery to the application), so a full socket buffer (EAGAIN) or
 * an ICMP error reported on the socket only drops that packet. Failures are reported
 * back as (batch index, errno) pairs so the caller can count them per stream.
 *
 * Exports: setDestination, clearDestination, send, entrySize.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "napi-decls.h"

#define ENTRY_SIZE 40
#define ADDR_OFFSET 8

static int typed_array(napi_env env, napi_value value, napi_typedarray_type want,
                       void **data, size_t *length) {
  napi_typedarray_type type;
  if (napi_get_typedarray_info(env, value, &type, length, data, NULL, NULL) != napi_ok ||
      type != want) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE",
                          want == napi_uint8_array ? "expected a Uint8Array"
                                                   : "expected an Int32Array");
    return 0;
  }
  return 1;
}

static napi_value int_value(napi_env env, int32_t v) {
  napi_value result;
  napi_create_int32(env, v, &result);
  return result;
}

static unsigned char *entry_at(napi_env env, napi_value table_value, int32_t slot) {
  unsigned char *table;
  size_t length;
  if (!typed_array(env, table_value, napi_uint8_array, (void **)&table, &length)) return NULL;
  if (slot < 0 || (size_t)slot >= length / ENTRY_SIZE) {
    napi_throw_type_error(env, "ERR_OUT_OF_RANGE", "slot outside the destination table");
    return NULL;
  }
  return table + (size_t)slot * ENTRY_SIZE;
}

/*
 * setDestination(table, slot, fd, address, port) -> 0, or an errno: the socket's family
 * (getsockname) decides the address form; an IPv4 destination on an IPv6 socket becomes
 * a v4-mapped address (RFC 4291 §2.5.5.2). EINVAL for an address that is not an IP
 * literal or does not fit the socket.
 */
static napi_value set_destination(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 5) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "setDestination(table, slot, fd, address, port)");
    return NULL;
  }
  int32_t slot, fd, port;
  char address[INET6_ADDRSTRLEN + 1];
  size_t address_length;
  if (napi_get_value_int32(env, argv[1], &slot) != napi_ok ||
      napi_get_value_int32(env, argv[2], &fd) != napi_ok ||
      napi_get_value_int32(env, argv[4], &port) != napi_ok ||
      napi_get_value_string_utf8(env, argv[3], address, sizeof address, &address_length) !=
          napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "setDestination(table, slot, fd, address, port)");
    return NULL;
  }
  unsigned char *entry = entry_at(env, argv[0], slot);
  if (entry == NULL) return NULL;
  int32_t unused = -1;
  memcpy(entry, &unused, sizeof unused);
  if (port < 0 || port > 65535 || fd < 0) return int_value(env, EINVAL);

  struct sockaddr_storage local;
  socklen_t local_length = sizeof local;
  if (getsockname(fd, (struct sockaddr *)&local, &local_length) != 0) return int_value(env, errno);

  struct in_addr v4;
  struct in6_addr v6;
  int is_v4 = inet_pton(AF_INET, address, &v4) == 1;
  int is_v6 = !is_v4 && inet_pton(AF_INET6, address, &v6) == 1;
  if (!is_v4 && !is_v6) return int_value(env, EINVAL);

  int32_t addr_length;
  if (local.ss_family == AF_INET) {
    if (!is_v4) return int_value(env, EINVAL);
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons((uint16_t)port);
    to.sin_addr = v4;
    addr_length = sizeof to;
    memcpy(entry + ADDR_OFFSET, &to, sizeof to);
  } else if (local.ss_family == AF_INET6) {
    struct sockaddr_in6 to;
    memset(&to, 0, sizeof to);
    to.sin6_family = AF_INET6;
    to.sin6_port = htons((uint16_t)port);
    if (is_v6) {
      to.sin6_addr = v6;
    } else {
      to.sin6_addr.s6_addr[10] = 0xff;
      to.sin6_addr.s6_addr[11] = 0xff;
      memcpy(&to.sin6_addr.s6_addr[12], &v4, 4);
    }
    addr_length = sizeof to;
    memcpy(entry + ADDR_OFFSET, &to, sizeof to);
  } else {
    return int_value(env, EAFNOSUPPORT);
  }
  memcpy(entry + 4, &addr_length, sizeof addr_length);
  memcpy(entry, &fd, sizeof fd);
  return int_value(env, 0);
}

/* clearDestination(table, slot): the slot sends nothing until set again. */
static napi_value clear_destination(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t slot;
  if (argc < 2 || napi_get_value_int32(env, argv[1], &slot) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "clearDestination(table, slot)");
    return NULL;
  }
  unsigned char *entry = entry_at(env, argv[0], slot);
  if (entry == NULL) return NULL;
  int32_t unused = -1;
  memcpy(entry, &unused, sizeof unused);
  return int_value(env, 0);
}

/*
 * send(table, packets, batch, count, failures) -> number of failed datagrams.
 * batch: Int32Array of `count` (slot, offset, length) triples into `packets`.
 * failures: Int32Array receiving (batch index, errno) pairs, as many as fit.
 * A triple that is out of range or names an unused slot fails with EINVAL/EBADF.
 */
static napi_value send_batch(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 5) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "send(table, packets, batch, count, failures)");
    return NULL;
  }
  unsigned char *table, *packets;
  int32_t *batch, *failures;
  size_t table_length, packets_length, batch_length, failures_length;
  int32_t count;
  if (!typed_array(env, argv[0], napi_uint8_array, (void **)&table, &table_length) ||
      !typed_array(env, argv[1], napi_uint8_array, (void **)&packets, &packets_length) ||
      !typed_array(env, argv[2], napi_int32_array, (void **)&batch, &batch_length) ||
      !typed_array(env, argv[4], napi_int32_array, (void **)&failures, &failures_length)) {
    return NULL;
  }
  if (napi_get_value_int32(env, argv[3], &count) != napi_ok || count < 0 ||
      (size_t)count * 3 > batch_length) {
    napi_throw_type_error(env, "ERR_OUT_OF_RANGE", "batch count outside the batch array");
    return NULL;
  }
  size_t slots = table_length / ENTRY_SIZE;
  size_t failure_room = failures_length / 2;
  int32_t failed = 0;
  for (int32_t i = 0; i < count; i++) {
    int32_t slot = batch[3 * i];
    int32_t offset = batch[3 * i + 1];
    int32_t length = batch[3 * i + 2];
    int error = 0;
    if (slot < 0 || (size_t)slot >= slots || offset < 0 || length < 0 ||
        (size_t)offset + (size_t)length > packets_length) {
      error = EINVAL;
    } else {
      const unsigned char *entry = table + (size_t)slot * ENTRY_SIZE;
      int32_t fd, addr_length;
      memcpy(&fd, entry, sizeof fd);
      memcpy(&addr_length, entry + 4, sizeof addr_length);
      if (fd < 0) {
        error = EBADF;
      } else {
        ssize_t n;
        do {
          n = sendto(fd, packets + offset, (size_t)length, MSG_DONTWAIT,
                     (const struct sockaddr *)(entry + ADDR_OFFSET), (socklen_t)addr_length);
        } while (n < 0 && errno == EINTR);
        if (n < 0) error = errno;
      }
    }
    if (error != 0) {
      if ((size_t)failed < failure_room) {
        failures[2 * failed] = i;
        failures[2 * failed + 1] = error;
      }
      failed++;
    }
  }
  return int_value(env, failed);
}

static void export_function(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  napi_create_function(env, name, strlen(name), cb, NULL, &fn);
  napi_set_named_property(env, exports, name, fn);
}

/* Node-API 1 is enough; declaring it lets Node load us in any version and in workers. */
NAPI_EXPORT int32_t node_api_module_get_api_version_v1(void) { return 1; }

NAPI_EXPORT napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  export_function(env, exports, "setDestination", set_destination);
  export_function(env, exports, "clearDestination", clear_destination);
  export_function(env, exports, "send", send_batch);
  napi_set_named_property(env, exports, "entrySize", int_value(env, ENTRY_SIZE));
  return exports;
}
