/** Typed arrays that grow: one column of a million attributes costs a few MB, not a few hundred. */
type TypedArray = Uint8Array | Uint16Array | Uint32Array;
type TypedArrayConstructor<T extends TypedArray> = new (length: number) => T;

export class GrowableColumn<T extends TypedArray> {
  private data: T;
  private size = 0;

  constructor(
    private readonly Kind: TypedArrayConstructor<T>,
    private readonly width = 1,
    initialCapacity = 1024,
  ) {
    this.data = new Kind(initialCapacity * width);
  }

  get length(): number {
    return this.size;
  }

  /** The backing array: valid for indexes below length * width. */
  get array(): T {
    return this.data;
  }

  /** Appends one row of `width` zeroed cells and returns its index. */
  push(value = 0): number {
    if ((this.size + 1) * this.width > this.data.length) {
      const grown = new this.Kind(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.size * this.width] = value;
    this.size += 1;
    return this.size - 1;
  }

  get(row: number): number {
    return this.data[row * this.width];
  }

  set(row: number, value: number): void {
    this.data[row * this.width] = value;
  }
}

/** Interns repeated strings (types, categories) as small codes. */
export class StringTable {
  readonly names: string[] = [];
  /** JSON.stringify of each name, computed once for the serialiser. */
  readonly json: string[] = [];
  private readonly codes = new Map<string, number>();

  code(name: string): number {
    let code = this.codes.get(name);
    if (code === undefined) {
      code = this.names.length;
      this.names.push(name);
      this.json.push(JSON.stringify(name));
      this.codes.set(name, code);
    }
    return code;
  }

  find(name: string): number | undefined {
    return this.codes.get(name);
  }
}
