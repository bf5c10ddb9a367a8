package karmem

import (
	"bytes"
	"testing"
)

func TestWriterAllocGrowsAndReturnsOldLength(t *testing.T) {
	w := NewWriter(2)
	if off, err := w.Alloc(3); off != 0 || err != nil {
		t.Fatalf("Alloc(3) = %d, %v", off, err)
	}
	if off, err := w.Alloc(5); off != 3 || err != nil {
		t.Fatalf("Alloc(5) = %d, %v", off, err)
	}
	w.Write1At(0, 0xaa)
	w.Write2At(1, 0x0201)
	w.Write4At(3, 0x06050403)
	w.WriteAt(7, []byte{7})
	if got := w.Bytes(); !bytes.Equal(got, []byte{0xaa, 1, 2, 3, 4, 5, 6, 7}) {
		t.Fatalf("bytes %x", got)
	}
	w.Reset()
	if len(w.Bytes()) != 0 || cap(w.Memory) < 8 {
		t.Fatalf("Reset: len %d cap %d", len(w.Bytes()), cap(w.Memory))
	}
}

func TestWrite8AtIsLittleEndianAndBoundsChecked(t *testing.T) {
	w := NewWriter(0)
	if _, err := w.Alloc(8); err != nil {
		t.Fatal(err)
	}
	w.Write8At(0, 0x0807060504030201)
	if !bytes.Equal(w.Bytes(), []byte{1, 2, 3, 4, 5, 6, 7, 8}) {
		t.Fatalf("bytes %x", w.Bytes())
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Write8At past the end did not panic")
		}
	}()
	w.Write8At(1, 0)
}

func TestFixedWriterNeverGrows(t *testing.T) {
	mem := make([]byte, 4, 8)
	w := NewFixedWriter(mem)
	if off, err := w.Alloc(4); off != 4 || err != nil {
		t.Fatalf("starts at len(mem): %d, %v", off, err)
	}
	if _, err := w.Alloc(1); err != ErrOutOfMemory {
		t.Fatalf("full fixed writer: %v", err)
	}
	w.Reset()
	if off, err := w.Alloc(8); off != 0 || err != nil {
		t.Fatalf("after Reset: %d, %v", off, err)
	}
	if &w.Memory[0] != &mem[0] {
		t.Fatal("fixed writer moved its memory")
	}
}

func TestAllocRefusesMessagesOver4GiB(t *testing.T) {
	w := NewWriter(0)
	if _, err := w.Alloc(1 << 32); err != ErrOutOfMemory {
		t.Fatalf("Alloc(4 GiB) = %v", err)
	}
	if len(w.Memory) != 0 {
		t.Fatal("a refused Alloc changed the length")
	}
}

func TestReaderBounds(t *testing.T) {
	r := NewReader(make([]byte, 10, 16))
	if r.Size != 10 || !r.IsValidOffset(6, 4) || r.IsValidOffset(7, 4) {
		t.Fatal("IsValidOffset")
	}
	if r.IsValidOffset(0xffffffff, 0xffffffff) {
		t.Fatal("IsValidOffset overflowed")
	}
	if r.Max-r.Min != 10 || r.Min != uintptr(r.Pointer) {
		t.Fatal("Min/Max")
	}
	if r.SetSize(0) || r.SetSize(17) || r.Size != 10 {
		t.Fatal("SetSize accepted a bad size")
	}
	if !r.SetSize(16) || r.Size != 16 || len(r.Memory) != 16 {
		t.Fatal("SetSize(16)")
	}
	empty := NewReader(nil)
	if empty.Size != 0 || empty.Pointer == nil || !empty.IsValidOffset(0, 0) || empty.IsValidOffset(0, 1) {
		t.Fatal("empty reader")
	}
}
