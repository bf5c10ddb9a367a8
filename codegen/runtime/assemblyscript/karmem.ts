// The Karmem runtime for AssemblyScript, used by the code of `karmem build --assemblyscript`.
// Same API as upstream's `assemblyscript/karmem.ts` (Writer, NewWriter, NewFixedWriter,
// Reader, NewReader, Slice<T>), written for this project. Differences that fix upstream
// defects: `NewFixedWriter` starts empty, `Alloc` zero-fills what it hands out (padding is
// deterministic) and detects u32 overflow, `Slice<T>` also rejects negative indexes and
// reads a bool as "byte != 0".

/** The failure value of `Writer.Alloc`. */
export const AllocFailed: u32 = 0xFFFFFFFF;

/** A bump allocator over one byte array: the message being written. */
export class Writer {
    private Memory: Array<u8>;
    private isFixed: bool;

    constructor(Memory: Array<u8>, isFixed: bool = false) {
        this.Memory = Memory;
        this.isFixed = isFixed;
    }

    /** The address of the first byte of the message. */
    @inline Pointer(): usize {
        return this.Memory.dataStart;
    }

    /** Forgets the message; the memory is kept. */
    @inline Reset(): void {
        this.Memory.length = 0;
    }

    /**
     * Reserves `n` zeroed bytes at the end and returns their offset (the old length), or
     * `0xFFFFFFFF` when a fixed writer is full or the message would exceed 2 GiB (the limit of an `Array`).
     */
    Alloc(n: u32): u32 {
        const offset: u32 = <u32>this.Memory.length;
        const total: u64 = <u64>offset + <u64>n;
        if (total > <u64>0x7FFFFFFF) {
            return AllocFailed;
        }
        if (this.isFixed && total > <u64>this.Memory.byteLength) {
            return AllocFailed;
        }
        this.Memory.length = <i32>total;
        memory.fill(this.Memory.dataStart + <usize>offset, 0, <usize>n);
        return offset;
    }

    /** Stores a number or bool at `offset` (little-endian, unaligned). */
    @inline WriteAt<T>(offset: u32, data: T): void {
        store<T>(this.Memory.dataStart + <usize>offset, data);
    }

    /** Copies the elements of a `StaticArray` of numbers to `offset`. */
    @inline WriteArrayAt<T>(offset: u32, data: T): void {
        memory.copy(
            this.Memory.dataStart + <usize>offset,
            changetype<usize>(data),
            <usize>data.length * sizeof<valueof<T>>(),
        );
    }

    /** Copies the elements of an `Array` or typed array of numbers to `offset`. */
    @inline WriteSliceAt<T>(offset: u32, data: T): void {
        memory.copy(
            this.Memory.dataStart + <usize>offset,
            data.dataStart,
            <usize>data.length * sizeof<valueof<T>>(),
        );
    }

    /** The message (not a copy). */
    @inline Bytes(): Array<u8> {
        return this.Memory;
    }
}

/** A growable writer with room for `capacity` bytes before it reallocates. */
export function NewWriter(capacity: u32): Writer {
    const array = new Array<u8>(<i32>capacity);
    array.length = 0;
    return new Writer(array, false);
}

/**
 * A writer that never grows beyond the memory of `array` (its capacity). It starts
 * empty, whatever `array.length` is.
 */
export function NewFixedWriter(array: Array<u8>): Writer {
    array.length = 0;
    return new Writer(array, true);
}

/** A message being read: viewers are addresses into `Memory`. */
export class Reader {
    Memory: StaticArray<u8>;
    Pointer: usize;
    Size: u64;
    Min: usize;
    Max: usize;

    constructor(array: StaticArray<u8>) {
        this.Memory = array;
        this.Pointer = changetype<usize>(array);
        this.Size = <u64>array.length;
        this.Min = this.Pointer;
        this.Max = this.Pointer + <usize>array.length;
    }

    /** Whether `size` bytes at `ptr` are inside the message. */
    @inline IsValidOffset(ptr: u32, size: u32): bool {
        return <u64>ptr + <u64>size <= this.Size;
    }

    /** Reads only the first `size` bytes of `Memory`; false when it has fewer. */
    SetSize(size: u32): bool {
        if (<u64>size > <u64>this.Memory.length) {
            return false;
        }
        this.Size = <u64>size;
        this.Max = this.Pointer + <usize>size;
        return true;
    }
}

/** A reader of the message in `array`. */
export function NewReader(array: StaticArray<u8>): Reader {
    return new Reader(array);
}

/** `length` elements of `size` bytes at `ptr`: numbers, bools, or struct viewers. */
export class Slice<T> {
    [key: number]: T;

    readonly ptr: usize;
    readonly length: i32;
    private readonly size: u32;

    constructor(ptr: usize, length: u32, size: u32) {
        this.ptr = ptr;
        this.length = <i32>length;
        this.size = size;
    }

    /** The number of elements. */
    @inline Length(): i32 {
        return this.length;
    }

    /** Element `index`; throws a `RangeError` outside `0 .. length - 1`. */
    @operator("[]") Get(index: i32): T {
        if (<u32>index >= <u32>this.length) {
            throw new RangeError("karmem.Slice: index " + index.toString() + " out of range " + this.length.toString());
        }
        const at = this.ptr + <usize>this.size * <usize>index;
        if (isBoolean<T>()) {
            return <T>(load<u8>(at) != 0);
        }
        if (isInteger<T>() || isFloat<T>()) {
            return load<T>(at);
        }
        return changetype<T>(at);
    }
}
