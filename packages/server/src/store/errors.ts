/** A `starting_after` / `ending_before` id that is not in the list being paged. */
export class UnknownCursorError extends Error {
  override readonly name = "UnknownCursorError";
  readonly param: "starting_after" | "ending_before";
  readonly id: string;

  constructor(param: "starting_after" | "ending_before", id: string) {
    super(`no object ${id} in this list`);
    this.param = param;
    this.id = id;
  }
}
