// karmem.h: the C runtime of the karmem-lsp C target (codegen/c.md, "Runtime API").
//
// The names, fields, signatures and sentinel values are those of upstream Karmem's
// c/karmem.h, so generated code works with either; this one is our own, and it differs
// from upstream's on purpose:
//  * a growing writer records the capacity it really allocated (upstream records twice
//    the size it asked `realloc` for and later writes past the block);
//  * the functions are `static inline`, so several translation units may include it;
//  * allocations fail (0xFFFFFFFF) instead of wrapping past 4 GiB, and
//    KarmemWriterWriteAt ignores writes outside the allocated length.
// Little-endian targets only (the generated code copies native values as wire bytes).

#ifndef KARMEM_H
#define KARMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "karmem.h: Karmem's C code assumes a little-endian target"
#endif
#endif

/// A bump allocator over one byte buffer; the message is `memory[0 .. length)`.
typedef struct {
    uint8_t *memory;
    uint32_t capacity;
    uint32_t length;
    /// 1 for a writer over caller memory that never grows.
    uint8_t is_fixed;
} KarmemWriter;

/// A growing writer with `capacity` bytes reserved (`malloc`, not zeroed).
static inline KarmemWriter KarmemNewWriter(size_t capacity) {
    KarmemWriter w;
    if (capacity > UINT32_MAX) {
        capacity = UINT32_MAX;
    }
    w.memory = (uint8_t *) malloc(capacity > 0 ? capacity : 1);
    w.capacity = w.memory != NULL ? (uint32_t) capacity : 0;
    w.length = 0;
    w.is_fixed = 0;
    return w;
}

/// A writer over `mem` (`capacity` bytes) that never grows; it starts empty.
static inline KarmemWriter KarmemNewFixedWriter(uint8_t *mem, size_t capacity) {
    KarmemWriter w;
    w.memory = mem;
    w.capacity = capacity > UINT32_MAX ? UINT32_MAX : (uint32_t) capacity;
    w.length = 0;
    w.is_fixed = 1;
    return w;
}

/// Reserves `size` bytes at the end and returns their offset (the old length), or
/// 0xFFFFFFFF when a fixed writer is full, memory runs out or the message would pass
/// 4 GiB. The bytes are not zeroed.
static inline uint32_t KarmemWriterAlloc(KarmemWriter *w, size_t size) {
    uint64_t end = (uint64_t) w->length + (uint64_t) size;
    if ((uint64_t) size > UINT32_MAX || end > UINT32_MAX || w->length == UINT32_MAX) {
        return 0xFFFFFFFF;
    }
    if (end > w->capacity) {
        if (w->is_fixed) {
            return 0xFFFFFFFF;
        }
        uint64_t grown = (uint64_t) w->capacity * 2;
        if (grown < end) {
            grown = end;
        }
        if (grown > UINT32_MAX) {
            grown = UINT32_MAX;
        }
        uint8_t *memory = (uint8_t *) realloc(w->memory, (size_t) grown);
        if (memory == NULL) {
            return 0xFFFFFFFF;
        }
        w->memory = memory;
        w->capacity = (uint32_t) grown;
    }
    uint32_t offset = w->length;
    w->length = (uint32_t) end;
    return offset;
}

/// Copies `length` bytes from `src` to `offset` (which must lie in allocated bytes;
/// anything else is ignored).
static inline void KarmemWriterWriteAt(KarmemWriter *w, uint32_t offset, const void *src, size_t length) {
    if (length == 0 || (uint64_t) offset + (uint64_t) length > w->length) {
        return;
    }
    memcpy(&w->memory[offset], src, length);
}

/// Empties the writer, keeping its memory.
static inline void KarmemWriterReset(KarmemWriter *w) {
    w->length = 0;
}

/// Frees a growing writer's memory (a fixed writer's memory belongs to the caller).
static inline void KarmemWriterFree(KarmemWriter *w) {
    if (!w->is_fixed) {
        free(w->memory);
    }
    w->memory = NULL;
    w->capacity = 0;
    w->length = 0;
}

/// A message to read: `pointer[0 .. length)`.
typedef struct {
    uint8_t *pointer;
    uint64_t length;
    uint32_t capacity;
} KarmemReader;

/// A reader over `length` bytes at `memory` (not copied).
static inline KarmemReader KarmemNewReader(uint8_t *memory, uint32_t length) {
    KarmemReader r;
    r.pointer = memory;
    r.length = length;
    r.capacity = length;
    return r;
}

/// True when `size` bytes at `offset` lie inside the message (computed in 64 bits).
static inline bool KarmemReaderIsValidOffset(KarmemReader *r, uint32_t offset, uint32_t size) {
    return (uint64_t) offset + (uint64_t) size <= r->length;
}

/// Sets the message length to `size` (for a buffer reused for several messages); 1 on
/// success, 0 when `size` exceeds the capacity given to KarmemNewReader.
static inline uint8_t KarmemReaderSetSize(KarmemReader *r, uint32_t size) {
    if (size > r->capacity) {
        return 0;
    }
    r->length = size;
    return 1;
}

#endif
