// A DataView over a Buffer, kept while the same Buffer is read: its getters are compiled inline, where
// Buffer#readDoubleLE and friends validate their offset on every call.
export class ByteView {
  private of: Buffer | undefined;
  private view: DataView = new DataView(new ArrayBuffer(0));

  /** The view over `buf` (offsets as in `buf`). */
  over(buf: Buffer): DataView {
    if (buf !== this.of) {
      this.of = buf;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    return this.view;
  }
}
