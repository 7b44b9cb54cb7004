// Caption rewriting for reversed clips, pinned as a table: each row is what a reversed copy of the clip may be captioned.

import { describe, expect, it } from 'vitest';
import { analyseCaption, reverseCaption, type CaptionStatus } from '../../src/labels/captions.js';

type Row = readonly [caption: string, status: CaptionStatus, reversed: string | null];

/** Counterpart pairs, one row per direction where both read. */
const PAIRS: Row[] = [
  ['A man opens the door', 'swap', 'A man closes the door'],
  ['A man closes the door', 'swap', 'A man opens the door'],
  ['He shuts the window', 'swap', 'He opens the window'],
  ['A hand pushes the drawer in', 'swap', 'A hand pulls the drawer out'],
  ['She pulls out the drawer', 'swap', 'She pushes in the drawer'],
  ['He pushes the door open', 'swap', 'He pulls the door shut'],
  ['She puts the pen into the cup', 'swap', 'She takes the pen out of the cup'],
  ['She takes the pen out of the cup', 'swap', 'She puts the pen into the cup'],
  ['Somebody takes a pen out', 'swap', 'Somebody puts a pen in'],
  ['He puts the book on the shelf', 'swap', 'He takes the book off the shelf'],
  ['She puts on a hat', 'swap', 'She takes off a hat'],
  ['She covers the pot', 'swap', 'She uncovers the pot'],
  ['Unfolding a map', 'swap', 'Folding a map'],
  ['The cat enters the room', 'swap', 'The cat exits the room'],
  ['A balloon rises upward', 'swap', 'A balloon sinks downward'],
  ['A stone sinks to the bottom', 'swap', 'A stone rises to the top'],
  ['A car moves from left to right', 'swap', 'A car moves from right to left'],
  ['The drone flies towards the camera', 'swap', 'The drone flies away from the camera'],
  ['The drone flies away from the camera', 'swap', 'The drone flies towards the camera'],
  ['The camera zooms in', 'swap', 'The camera zooms out'],
  ['The camera zooms in on the cat', 'swap', 'The camera zooms out from the cat'],
  ['The camera pans left', 'swap', 'The camera pans right'],
  ['A man approaches the camera', 'swap', 'A man recedes from the camera'],
  ['A man recedes from the camera', 'swap', 'A man approaches the camera'],
  ['The train arrives at the station', 'swap', 'The train leaves the station'],
  ['The train leaves the station', 'swap', 'The train arrives at the station'],
  ['He ascends the stairs', 'swap', 'He descends the stairs'],
  ['The balloon inflates', 'swap', 'The balloon deflates'],
  ['A child assembles the toy', 'swap', 'A child disassembles the toy'],
  ['She unpacks the suitcase', 'swap', 'She packs the suitcase'],
  ['He locks the door', 'swap', 'He unlocks the door'],
  ['She ties her shoes', 'swap', 'She unties her shoes'],
  ['She unwraps the gift', 'swap', 'She wraps the gift'],
  ['He plugs the lamp in.', 'swap', 'He unplugs the lamp.'],
  ['He plugs in the lamp', 'swap', 'He unplugs the lamp'],
  ['He unplugs it', 'swap', 'He plugs it in'],
  ['He unplugs the cable from the wall', 'swap', 'He plugs the cable into the wall'],
  ['He turns on the lamp', 'swap', 'He turns off the lamp'],
  ['The lights turn off', 'swap', 'The lights turn on'],
  ['He raises his hand', 'swap', 'He lowers his hand'],
  ['She lifts the box', 'swap', 'She puts down the box'],
  ['She lifts it', 'swap', 'She puts it down'],
  ['A hand picks up the cup', 'swap', 'A hand puts down the cup'],
  ['A hand puts the cup down', 'swap', 'A hand picks the cup up'],
  ['The rabbit appears', 'swap', 'The rabbit disappears'],
  ['A child unstacks the cups', 'swap', 'A child stacks the cups'],
  ['He attaches the magnet to the fridge', 'swap', 'He detaches the magnet from the fridge'],
  ['He connects the cable to the laptop', 'swap', 'He disconnects the cable from the laptop'],
  ['A boy fills the box with toys', 'swap', 'A boy empties the box of toys'],
  ['A boy empties the box of toys', 'swap', 'A boy fills the box with toys'],
  ['A boy goes into the house', 'swap', 'A boy comes out of the house'],
  ['He gets into the car', 'swap', 'He gets out of the car'],
  ['The door swings open', 'swap', 'The door swings shut'],
  ['A wheel spins clockwise', 'swap', 'A wheel spins counterclockwise'],
  ['Someone zips up the jacket', 'swap', 'Someone unzips the jacket'],
];

/** Case, inflection, several swaps, punctuation and unicode around words. */
const FORMS: Row[] = [
  ['Opens the box.', 'swap', 'Closes the box.'],
  ['OPEN THE DOOR', 'swap', 'CLOSE THE DOOR'],
  ['Time-lapse Of Clouds Moving From Left To Right', 'swap', 'Time-lapse Of Clouds Moving From Right To Left'],
  ['A Woman Moves Towards The Camera', 'swap', 'A Woman Moves Away From The Camera'],
  ['Towards the camera, a cart rolls', 'swap', 'Away from the camera, a cart rolls'],
  ['The door opened slowly', 'swap', 'The door closed slowly'],
  ['She is opening the window', 'swap', 'She is closing the window'],
  ['The lamp is put into the box', 'swap', 'The lamp is taken out of the box'],
  ['She has taken the pen out of the cup', 'swap', 'She has put the pen into the cup'],
  ['She is taking off her coat', 'swap', 'She is putting on her coat'],
  ['Pushed the cart', 'swap', 'Pulled the cart'],
  ['He puts the pen and the pencil into the cup', 'swap', 'He takes the pen and the pencil out of the cup'],
  ['A man opens and closes the door', 'swap', 'A man closes and opens the door'],
  ['He raises his hand and lowers the flag', 'swap', 'He lowers his hand and raises the flag'],
  ['The cat enters. The dog exits.', 'swap', 'The cat exits. The dog enters.'],
  ['A hand pushes the toy car from right to left', 'swap', 'A hand pulls the toy car from left to right'],
  ['Pick up the cup, then put it in the box', 'swap', 'Put down the cup, then take it out of the box'],
  ['\u201cOpens\u201d the door!', 'swap', '\u201cCloses\u201d the door!'],
  ['Caf\u00e9 owner opens the shutter \u{1F6AA}', 'swap', 'Caf\u00e9 owner closes the shutter \u{1F6AA}'],
  ['The door\u2019s opened', 'swap', 'The door\u2019s closed'],
  ['He takes it out\u00a0of the box', 'swap', 'He puts it into the box'],
  ['A  kid   opens  the  box', 'swap', 'A  kid   closes  the  box'],
  ['A ZOOM-IN on the face', 'swap', 'A ZOOM-OUT on the face'],
  [
    'Pretending to open something without actually opening it',
    'swap',
    'Pretending to close something without actually closing it',
  ],
];

/** Irreversible words win over everything, swaps included. */
const IRREVERSIBLE: Row[] = [
  ['A glass falls and shatters', 'irreversible', null],
  ['She opens the jar and pours milk', 'irreversible', null],
  ['A girl fills the glass with water', 'irreversible', null],
  ['A man walks towards the camera', 'irreversible', null],
  ['A ball rolls down the hill', 'irreversible', null],
  ['A man jumps into the pool', 'irreversible', null],
  ['A car comes to a stop', 'irreversible', null],
  ['A free-falling skydiver', 'irreversible', null],
  ['Water drips from a leaky tap', 'irreversible', null],
  ['He throws the ball', 'irreversible', null],
  ['The paper burns', 'irreversible', null],
  ['A child splashes in a puddle', 'irreversible', null],
  ['Tearing something into two pieces', 'irreversible', null],
  ['Ice melts on the plate', 'irreversible', null],
  // Not the substring "falls": "waterfalls" is its own entry (water falling), pinned as irreversible.
  ['Waterfalls in the forest', 'irreversible', null],
];

/** Direction-free motion keeps the caption as it is. */
const KEEP: Row[] = [
  ['A flag waving in the wind', 'keep', 'A flag waving in the wind'],
  ['A wheel spins', 'keep', 'A wheel spins'],
  ['Leaves rustle in the wind', 'keep', 'Leaves rustle in the wind'],
  ['He moves his arm back and forth', 'keep', 'He moves his arm back and forth'],
  ['A pendulum swings', 'keep', 'A pendulum swings'],
];

/** Nothing the lexicon knows, words inside longer words, and ambiguous phrases left to the pixels. */
const UNKNOWN: Row[] = [
  ['', 'unknown', null],
  ['   ', 'unknown', null],
  ['A cat sits on a mat', 'unknown', null],
  ['A ball bounces', 'unknown', null],
  ['The bottle opener', 'unknown', null],
  ['A closet full of coats', 'unknown', null],
  ['The output of the printer', 'unknown', null],
  ['He is a pushover', 'unknown', null],
  ['Breakfast on the table', 'unknown', null],
  ['An open door', 'unknown', null],
  ['The door is wide open', 'unknown', null],
  ['The locks rattle', 'unknown', null],
  ['Kitchen sinks', 'unknown', null],
  ['A close-up of a face', 'unknown', null],
  ['Push-ups in the gym', 'unknown', null],
  ['A man turns left', 'unknown', null],
  ['A man turns to the left', 'unknown', null],
  ['He turns on the spot', 'unknown', null],
  ['A woman faces towards the camera', 'unknown', null],
  ['The cup is to the left of the plate', 'unknown', null],
  ['The rock rolls downward', 'unknown', null],
  ['A car pulls out of the driveway', 'unknown', null],
  ['The plane takes off from the runway', 'unknown', null],
  ['The train leaves', 'unknown', null],
  ['the lower shelf', 'unknown', null],
];

const TABLE: Row[] = [...PAIRS, ...FORMS, ...IRREVERSIBLE, ...KEEP, ...UNKNOWN];

describe('analyseCaption: the rewrite table', () => {
  it('has at least 50 rows, negatives included', () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(50);
    expect(IRREVERSIBLE.length + UNKNOWN.length).toBeGreaterThanOrEqual(20);
  });

  it.each(TABLE)('%j -> %s %j', (caption, status, reversed) => {
    const a = analyseCaption(caption);
    expect({ status: a.status, reversed: a.reversed }).toEqual({ status, reversed });
    expect(reverseCaption(caption)).toBe(reversed);
  });
});

describe('analyseCaption: round trip', () => {
  // Rows whose rewrite has more than one reading back: shut/close -> open -> close, lift -> put down -> pick up,
  // a dropped particle ("plugs the lamp in" -> "unplugs the lamp" -> "plugs in the lamp"), "in" vs "into", NBSP.
  const ONE_WAY = new Set([
    'He shuts the window',
    'He plugs the lamp in.',
    'She lifts the box',
    'She lifts it',
    'Someone zips up the jacket',
    'Pick up the cup, then put it in the box',
    'He takes it out\u00a0of the box',
  ]);
  const swaps = [...PAIRS, ...FORMS].filter(([c, s]) => s === 'swap' && !ONE_WAY.has(c));

  it('covers most swap rows', () => {
    expect(swaps.length).toBeGreaterThanOrEqual(50);
  });

  it.each(swaps.map(([c]) => [c]))('%j', (caption) => {
    expect(reverseCaption(reverseCaption(caption)!)).toBe(caption);
  });

  it('leaves out only rows that really do not read back', () => {
    for (const caption of ONE_WAY) {
      expect(TABLE.some(([c]) => c === caption)).toBe(true);
      expect(reverseCaption(reverseCaption(caption)!)).not.toBe(caption);
    }
  });
});

describe('analyseCaption: matches and reasons', () => {
  it('reports each rewritten piece with offsets into the original text', () => {
    const text = 'She puts the pen into the cup';
    const a = analyseCaption(text);
    expect(a.matches).toEqual([
      { text: 'puts', start: 4, end: 8, kind: 'swap', replacement: 'takes' },
      { text: 'into', start: 17, end: 21, kind: 'swap', replacement: 'out of' },
    ]);
    for (const m of a.matches) expect(text.slice(m.start, m.end)).toBe(m.text);
    expect(a.reason).toBe("'puts … into' -> 'takes … out of'");
  });

  it('names the irreversible words, and still lists the swaps it found', () => {
    const a = analyseCaption('He opens the bottle and it falls');
    expect(a.status).toBe('irreversible');
    expect(a.reason).toBe("caption says 'falls'");
    expect(a.matches.map((m) => [m.text, m.kind])).toEqual([
      ['opens', 'swap'],
      ['falls', 'irreversible'],
    ]);
  });

  it('explains a liquid fill', () => {
    const a = analyseCaption('A girl fills the glass with water');
    expect(a.reason).toBe("caption says 'fills' with 'water' (filling with a liquid is pouring)");
    expect(a.matches.find((m) => m.kind === 'irreversible')?.text).toBe('water');
  });

  it('gives the keep and unknown reasons', () => {
    expect(analyseCaption('A flag waving').reason).toBe("direction-free motion: 'waving'");
    expect(analyseCaption('A cat sits').reason).toBe('no known motion word');
    expect(analyseCaption('').reason).toBe('empty caption');
    expect(analyseCaption('A cat sits').matches).toEqual([]);
  });

  it('swaps in one pass: a rewritten word is never rewritten back', () => {
    expect(reverseCaption('open the box, close the box, open the box')).toBe(
      'close the box, open the box, close the box',
    );
    expect(reverseCaption('from left to right then to the left')).toBe('from right to left then to the right');
  });

  it('rejects a caption that is not a string', () => {
    expect(() => analyseCaption(42 as unknown as string)).toThrow('Expected a string for caption but received 42');
  });
});
