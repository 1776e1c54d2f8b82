// Its own module: both the value matchers and the index's number filter use it, and neither
// may import the other (that would close an import cycle through the event reader).

/** A numeric interval; `=` is a closed interval of one point. */
export interface NumericRange {
  readonly low: number;
  readonly lowOpen: boolean;
  readonly high: number;
  readonly highOpen: boolean;
}
