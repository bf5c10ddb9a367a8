// Package karmem is the runtime of the Go code that karmem-lsp generates for Karmem
// schemas (`karmem build --golang`). It has the same API as upstream's runtime
// (karmem.org/golang): a bump-allocating Writer and a bounds-checking Reader.
//
// Differences from upstream, all of them fixes: Alloc refuses to grow a message past
// 4 GiB (offsets are 32-bit), Write1At..Write8At and WriteAt are bounds-checked, and a
// fixed writer's Alloc never hands out memory beyond the slice's capacity.
package karmem

import (
	"encoding/binary"
	"errors"
	"unsafe"
)

// ErrOutOfMemory is returned by Alloc when a fixed writer is full, or when a message
// would exceed the format's 4 GiB limit.
var ErrOutOfMemory = errors.New("karmem: out of memory")

// maxMessage is the largest message size: every offset is a uint32.
const maxMessage = 1<<32 - 1

func init() {
	var probe uint16 = 1
	if *(*byte)(unsafe.Pointer(&probe)) != 1 {
		panic("karmem: the generated readers need a little-endian platform")
	}
	if unsafe.Sizeof(uintptr(0)) != 4 && unsafe.Sizeof(uintptr(0)) != 8 {
		panic("karmem: the generated readers need a 32-bit or 64-bit platform")
	}
}

// Writer builds one message: a bump allocator over a byte slice.
type Writer struct {
	// Memory holds the message written so far (len) and the space reserved (cap).
	Memory  []byte
	isFixed bool
}

// NewWriter returns an empty writer that grows as needed, starting with capacity bytes.
func NewWriter(capacity int) *Writer {
	return &Writer{Memory: make([]byte, 0, capacity)}
}

// NewFixedWriter returns a writer that never grows beyond cap(mem). As upstream's, it
// starts at len(mem): pass mem[:0], or call Reset first, to start an empty message.
func NewFixedWriter(mem []byte) *Writer {
	return &Writer{Memory: mem, isFixed: true}
}

// Alloc reserves n bytes at the end of the message and returns their offset (the old
// length). A growable writer appends zero bytes when its capacity is exceeded; otherwise
// the slice is re-sliced and the reserved bytes keep what the buffer held (the generated
// code writes every byte it reserves).
func (w *Writer) Alloc(n uint) (uint, error) {
	ptr := uint(len(w.Memory))
	if uint64(ptr)+uint64(n) > maxMessage {
		return 0, ErrOutOfMemory
	}
	total := ptr + n
	if total > uint(cap(w.Memory)) {
		if w.isFixed {
			return 0, ErrOutOfMemory
		}
		w.Memory = append(w.Memory, make([]byte, total-ptr)...)
		return ptr, nil
	}
	w.Memory = w.Memory[:total]
	return ptr, nil
}

// WriteAt copies data to the message at offset.
func (w *Writer) WriteAt(offset uint, data []byte) {
	copy(w.Memory[offset:offset+uint(len(data))], data)
}

// Write1At stores one byte at offset.
func (w *Writer) Write1At(offset uint, data uint8) {
	w.Memory[offset] = data
}

// Write2At stores a little-endian uint16 at offset.
func (w *Writer) Write2At(offset uint, data uint16) {
	binary.LittleEndian.PutUint16(w.Memory[offset:], data)
}

// Write4At stores a little-endian uint32 at offset.
func (w *Writer) Write4At(offset uint, data uint32) {
	binary.LittleEndian.PutUint32(w.Memory[offset:], data)
}

// Write8At stores a little-endian uint64 at offset.
func (w *Writer) Write8At(offset uint, data uint64) {
	binary.LittleEndian.PutUint64(w.Memory[offset:], data)
}

// Reset empties the writer; its capacity is kept for the next message.
func (w *Writer) Reset() {
	w.Memory = w.Memory[:0]
}

// Bytes returns the message written so far (not a copy).
func (w *Writer) Bytes() []byte {
	return w.Memory
}

// Reader gives the generated viewers access to one message.
type Reader struct {
	// Memory is the message.
	Memory []byte
	// Pointer is the address of the message's first byte (of a static byte when the
	// message is empty and has no capacity).
	Pointer unsafe.Pointer
	// Size is the number of readable bytes.
	Size uint64
	// Min and Max are the addresses of the first byte and one past the last byte.
	Min, Max uintptr
}

// empty backs readers of slices without any capacity.
var empty [1]byte

// NewReader returns a reader of mem; an empty slice gives a reader of size 0.
func NewReader(mem []byte) *Reader {
	r := &Reader{}
	r.reset(mem)
	return r
}

func (m *Reader) reset(mem []byte) {
	m.Memory = mem
	m.Size = uint64(len(mem))
	if cap(mem) > 0 {
		m.Pointer = unsafe.Pointer(&mem[:1][0])
	} else {
		m.Pointer = unsafe.Pointer(&empty[0])
	}
	m.Min = uintptr(m.Pointer)
	m.Max = m.Min + uintptr(len(mem))
}

// IsValidOffset reports whether size bytes at ptr lie within the message (computed in
// 64 bits, so it cannot overflow).
func (m *Reader) IsValidOffset(ptr, size uint32) bool {
	return m.Size >= uint64(ptr)+uint64(size)
}

// SetSize re-bounds the reader to the first size bytes of its slice (which may be
// longer than the current message, up to its capacity). It returns false, changing
// nothing, when size is 0 or beyond the capacity.
func (m *Reader) SetSize(size uint32) bool {
	if size == 0 || uint64(size) > uint64(cap(m.Memory)) {
		return false
	}
	m.reset(m.Memory[:size])
	return true
}
