// The caption lexicon as data: time-reversal counterparts, direction-free motion and words that rule a reversal out.
//
// Decisions recorded here (unknown beats a wrong rewrite):
// - "turn" alone is ambiguous (rotate? "turns left": a left turn driven backwards is not a right turn): only
//   "turn on/off" next to a device word is rewritten; "turns left", "turns around" stay unknown.
// - "fill"/"empty" swap (a box filled with toys, emptied again) unless the caption names a liquid or grain:
//   filling a glass with water is pouring, and reversed pouring is an artefact.
// - "appear"/"disappear" swap: a reversed appearance is a disappearance, both plausible (occlusion, fades).
// - "bounce", "blow" (leaves in wind vs. a leaf blower), "stir", "roll", "climb", "jump" alone: not listed,
//   the pixels decide (a dribbled ball is invariant, a dropped ball losing height is irreversible).
// - Forward locomotion (walks, runs, drives, rides, swims) is irreversible: reversed it is walking or driving
//   backwards (the verdict table in the README), so "walks towards the camera" is not rewritten to "walks away".
// - "ascend"/"descend" swap (a person on stairs), while "falls", "tumbles", "rolls down" are irreversible.
// - "turn on/off" (lights, devices) swaps: a lamp switching off is as plausible as one switching on.
// - A negated verb ("does not break", "never falls", "without dropping") is no evidence either way; it is rewritten
//   only when the same pair is read plainly too ("pretends to open it without opening it").
// - A caption saying the clip already plays backwards ("played in reverse", "reversed footage") is not read: its
//   words describe the other direction. "reverse angle", "in reverse order" and "walks backwards" are read as usual.
// - "is closed" at the end of a clause is a state ("the shop is closed"); "was closed", "is closed by the wind" act.
// - Nouns that look like verbs are not read: compounds ("a cutting mat", "a rain jacket"), quantities ("a drop of
//   water"), the season ("in the fall"), a direction-free word after an article ("a swing"). Known limit: the
//   clause order of several actions is kept ("picks up the cup, then puts it in the box" swaps each verb in place).

import { MOTION_WORDS, type IrreversibleEntry } from './motion-words.js';

export type { IrreversibleEntry } from './motion-words.js';

/** The inflections a verb is read and written in. */
export type VerbForm = 'base' | 'third' | 'past' | 'participle' | 'ing';

/** A verb with its forms. `guard` marks forms that are also common nouns or adjectives. */
export interface Verb {
  readonly base: string;
  readonly third: string;
  readonly past: string;
  readonly participle: string;
  readonly ing: string;
  /**
   * 'object': the form is read as this verb only when an object (determiner or pronoun) follows it
   * ("open the box", not "wide open"); 'never': written in rewrites but never read ("left" of leave,
   * "rose" of rise, "sink" of a kitchen).
   */
  readonly guard?: Partial<Record<VerbForm, 'object' | 'never'>>;
  /** Words after which the verb is read as a noun ("kitchen sinks"). */
  readonly notAfter?: readonly string[];
}

/** A particle or preposition that travels with a verb ("puts the pen INTO the cup"). */
export interface Particle {
  /** The words as written, lowercase, single spaces ("out of"). */
  readonly match: string;
  /** Replacement when a noun phrase follows it away from the verb ("into the cup" -> "out of the cup"). */
  readonly prep: string;
  /** Replacement right after the verb or at the end of the clause ("puts it in" -> "takes it out"); '' drops it. */
  readonly adverb: string;
  /**
   * Right after the verb: 'ok' reads it; 'object' reads it only when an object follows ("pulls out the drawer",
   * not "pulls out of the driveway"), else the verb is left alone; 'block' leaves the verb alone.
   */
  readonly adjacent: 'ok' | 'object' | 'block';
  /** Another target verb for this particle (put ... down -> pick ... up). */
  readonly to?: Verb;
}

/** One direction of a verb counterpart: `from` in the caption becomes `to` in the reversed caption. */
export interface VerbRule {
  readonly from: Verb;
  readonly to: Verb;
  /** Particles looked for after the verb, within `maxGap` words; the nearest one is rewritten. */
  readonly particles?: readonly Particle[];
  /** The verb is rewritten only together with one of its particles (put ... in, zoom in). */
  readonly particleRequired?: boolean;
  /** Words allowed between the verb and its particle (default 5: "puts the pen and the pencil into"). */
  readonly maxGap?: number;
  /** Added after the rewritten verb (or after a pronoun object) when no particle was found: unplug -> plug in. */
  readonly insert?: string;
  /** Added after the rewritten verb when an object follows it directly: approach X -> recede from X. */
  readonly insertBeforeObject?: string;
  /** The rule applies only when one of these words is within 3 words of the verb or its particle. */
  readonly context?: ReadonlySet<string>;
  /** With a liquid or grain named anywhere in the caption the clip is irreversible (filling is pouring). */
  readonly liquid?: boolean;
}

/** A fixed phrase and its counterpart ("left to right" -> "right to left"). */
export interface PhraseRule {
  readonly from: string;
  readonly to: string;
  /** A motion direction: not read after a posture verb ("faces towards") or "turn", nor before "of" ("to the left of"). */
  readonly direction?: boolean;
  /**
   * Up or down: rewritten only beside a rewritten verb ("rises to the top" -> "sinks to the bottom"), since with
   * gravity an unknown verb going down ("the rock rolls downward") is usually irreversible.
   */
  readonly vertical?: boolean;
}

function verb(base: string, third: string, past: string, ing: string, participle = past, guard?: Verb['guard']): Verb {
  return guard ? { base, third, past, participle, ing, guard } : { base, third, past, participle, ing };
}
const NOUNLIKE = { base: 'object', third: 'object' } as const;
const p = (match: string, prep: string, adverb = prep, adjacent: Particle['adjacent'] = 'ok', to?: Verb): Particle =>
  to ? { match, prep, adverb, adjacent, to } : { match, prep, adverb, adjacent };

// Verbs (the forms each table reads and writes).
const OPEN = verb('open', 'opens', 'opened', 'opening', undefined, { base: 'object' });
const CLOSE = verb('close', 'closes', 'closed', 'closing', undefined, { base: 'object' });
const SHUT = verb('shut', 'shuts', 'shut', 'shutting', undefined, {
  base: 'object',
  past: 'object',
  participle: 'object',
});
const PUSH = verb('push', 'pushes', 'pushed', 'pushing');
const PULL = verb('pull', 'pulls', 'pulled', 'pulling');
const PUT = verb('put', 'puts', 'put', 'putting');
const TAKE = verb('take', 'takes', 'took', 'taking', 'taken');
const PICK = verb('pick', 'picks', 'picked', 'picking');
const LIFT = verb('lift', 'lifts', 'lifted', 'lifting', undefined, { base: 'object' });
const COVER = verb('cover', 'covers', 'covered', 'covering', undefined, NOUNLIKE);
const UNCOVER = verb('uncover', 'uncovers', 'uncovered', 'uncovering');
const FOLD = verb('fold', 'folds', 'folded', 'folding', undefined, NOUNLIKE);
const UNFOLD = verb('unfold', 'unfolds', 'unfolded', 'unfolding');
const ENTER = verb('enter', 'enters', 'entered', 'entering');
const EXIT = verb('exit', 'exits', 'exited', 'exiting', undefined, { base: 'object' });
const RISE = verb('rise', 'rises', 'rose', 'rising', 'risen', { past: 'never' });
const SINK = {
  ...verb('sink', 'sinks', 'sank', 'sinking', 'sunk', { base: 'never' }),
  notAfter: ['kitchen', 'bathroom', 'double', 'steel', 'metal', 'stainless', 'ceramic', 'porcelain', 'two', 'the'],
};
const ASCEND = verb('ascend', 'ascends', 'ascended', 'ascending');
const DESCEND = verb('descend', 'descends', 'descended', 'descending');
const APPROACH = verb('approach', 'approaches', 'approached', 'approaching');
const RECEDE = verb('recede', 'recedes', 'receded', 'receding');
const ARRIVE = verb('arrive', 'arrives', 'arrived', 'arriving');
const LEAVE = verb('leave', 'leaves', 'left', 'leaving', undefined, {
  ...NOUNLIKE,
  past: 'never',
  participle: 'never',
});
const DEPART = verb('depart', 'departs', 'departed', 'departing');
const ZOOM = verb('zoom', 'zooms', 'zoomed', 'zooming');
const PAN = verb('pan', 'pans', 'panned', 'panning');
const TILT = verb('tilt', 'tilts', 'tilted', 'tilting');
const GO = verb('go', 'goes', 'went', 'going', 'gone');
const COME = verb('come', 'comes', 'came', 'coming', 'come');
const GET = verb('get', 'gets', 'got', 'getting');
const TURN = verb('turn', 'turns', 'turned', 'turning');
const SWITCH = verb('switch', 'switches', 'switched', 'switching', undefined, { base: 'object' });
const PLUG = verb('plug', 'plugs', 'plugged', 'plugging', undefined, NOUNLIKE);
const UNPLUG = verb('unplug', 'unplugs', 'unplugged', 'unplugging');
const ATTACH = verb('attach', 'attaches', 'attached', 'attaching');
const DETACH = verb('detach', 'detaches', 'detached', 'detaching');
const CONNECT = verb('connect', 'connects', 'connected', 'connecting');
const DISCONNECT = verb('disconnect', 'disconnects', 'disconnected', 'disconnecting');
const FILL = verb('fill', 'fills', 'filled', 'filling', undefined, { base: 'object' });
const EMPTY = verb('empty', 'empties', 'emptied', 'emptying', undefined, { base: 'object' });
const RAISE = verb('raise', 'raises', 'raised', 'raising', undefined, { base: 'object' });
const LOWER = verb('lower', 'lowers', 'lowered', 'lowering', undefined, { base: 'object' });
const APPEAR = verb('appear', 'appears', 'appeared', 'appearing');
const DISAPPEAR = verb('disappear', 'disappears', 'disappeared', 'disappearing');
const VANISH = verb('vanish', 'vanishes', 'vanished', 'vanishing');
const SWING = verb('swing', 'swings', 'swung', 'swinging');
const SLIDE = verb('slide', 'slides', 'slid', 'sliding');
const FLY = verb('fly', 'flies', 'flew', 'flying', 'flown');
const UP_DROPPED = p('up', '', '', 'ok');

/** Pairs read both ways whose object stays put: "opens the door" <-> "closes the door". */
const SIMPLE_PAIRS: ReadonlyArray<readonly [Verb, Verb, (readonly Particle[])?]> = [
  [OPEN, CLOSE],
  [COVER, UNCOVER],
  [FOLD, UNFOLD],
  [ENTER, EXIT],
  [ASCEND, DESCEND],
  [verb('inflate', 'inflates', 'inflated', 'inflating'), verb('deflate', 'deflates', 'deflated', 'deflating')],
  [
    verb('assemble', 'assembles', 'assembled', 'assembling'),
    verb('disassemble', 'disassembles', 'disassembled', 'disassembling'),
  ],
  [
    verb('pack', 'packs', 'packed', 'packing', undefined, NOUNLIKE),
    verb('unpack', 'unpacks', 'unpacked', 'unpacking'),
    [UP_DROPPED],
  ],
  [verb('lock', 'locks', 'locked', 'locking', undefined, NOUNLIKE), verb('unlock', 'unlocks', 'unlocked', 'unlocking')],
  [
    verb('tie', 'ties', 'tied', 'tying', undefined, NOUNLIKE),
    verb('untie', 'unties', 'untied', 'untying'),
    [UP_DROPPED],
  ],
  [
    verb('wrap', 'wraps', 'wrapped', 'wrapping', undefined, NOUNLIKE),
    verb('unwrap', 'unwraps', 'unwrapped', 'unwrapping'),
    [UP_DROPPED],
  ],
  [
    verb('stack', 'stacks', 'stacked', 'stacking', undefined, NOUNLIKE),
    verb('unstack', 'unstacks', 'unstacked', 'unstacking'),
  ],
  [
    verb('zip', 'zips', 'zipped', 'zipping', undefined, NOUNLIKE),
    verb('unzip', 'unzips', 'unzipped', 'unzipping'),
    [UP_DROPPED],
  ],
  [
    verb('button', 'buttons', 'buttoned', 'buttoning', undefined, NOUNLIKE),
    verb('unbutton', 'unbuttons', 'unbuttoned', 'unbuttoning'),
    [UP_DROPPED],
  ],
  [
    verb('screw', 'screws', 'screwed', 'screwing', undefined, NOUNLIKE),
    verb('unscrew', 'unscrews', 'unscrewed', 'unscrewing'),
  ],
  [verb('load', 'loads', 'loaded', 'loading', undefined, NOUNLIKE), verb('unload', 'unloads', 'unloaded', 'unloading')],
  [
    verb('dress', 'dresses', 'dressed', 'dressing', undefined, NOUNLIKE),
    verb('undress', 'undresses', 'undressed', 'undressing'),
  ],
  [
    verb('buckle', 'buckles', 'buckled', 'buckling', undefined, NOUNLIKE),
    verb('unbuckle', 'unbuckles', 'unbuckled', 'unbuckling'),
  ],
  [verb('tighten', 'tightens', 'tightened', 'tightening'), verb('loosen', 'loosens', 'loosened', 'loosening')],
  [RAISE, LOWER],
  [APPEAR, DISAPPEAR],
];

/** push <-> pull: reversed, the hand's force and the object's path both turn round ("pushes the drawer in" -> "pulls the drawer out"). */
const PUSH_PULL_PARTICLES: readonly Particle[] = [
  p('into', 'out of', 'out', 'block'),
  p('out of', 'into', 'in', 'block'),
  p('in', 'out', 'out', 'object'),
  p('out', 'in', 'in', 'object'),
  p('up', 'down', 'down', 'object'),
  p('down', 'up', 'up', 'object'),
  p('open', 'shut', 'shut', 'object'),
  p('shut', 'open', 'open', 'object'),
  p('closed', 'open', 'open', 'object'),
  p('forward', 'back', 'back', 'object'),
  p('forwards', 'back', 'back', 'object'),
  p('back', 'forward', 'forward', 'object'),
  p('backward', 'forward', 'forward', 'object'),
  p('backwards', 'forward', 'forward', 'object'),
  p('away', 'closer', 'closer', 'object'),
  p('closer', 'away', 'away', 'object'),
];
/** "swings open" <-> "swings shut": a door or lid moving into a state. */
const RESULTATIVE: readonly Particle[] = [p('open', 'shut'), p('shut', 'open'), p('closed', 'open')];
const IN_OUT: readonly Particle[] = [
  p('into', 'out of', 'out of'),
  p('in', 'out'),
  p('out of', 'into', 'into'),
  p('out', 'in'),
];
const UP_DOWN: readonly Particle[] = [p('up', 'down'), p('down', 'up')];
const ON_OFF: readonly Particle[] = [p('on', 'off'), p('off', 'on')];

/**
 * Devices that "turn on/off" (the context "turn" needs: "turns on the lamp", but not "turns on the spot").
 */
export const DEVICES: ReadonlySet<string> = new Set([
  'light',
  'lights',
  'lamp',
  'lamps',
  'tv',
  'television',
  'tap',
  'faucet',
  'stove',
  'oven',
  'fan',
  'radio',
  'computer',
  'laptop',
  'screen',
  'monitor',
  'engine',
  'flashlight',
  'torch',
  'machine',
  'heater',
  'kettle',
  'blender',
  'microwave',
  'headlights',
  'phone',
  'bulb',
  'lantern',
  'projector',
]);

/** Liquids and grains: filling or emptying with them is pouring (irreversible). */
export const LIQUIDS: ReadonlySet<string> = new Set([
  'water',
  'milk',
  'juice',
  'coffee',
  'tea',
  'wine',
  'beer',
  'soda',
  'liquid',
  'oil',
  'syrup',
  'honey',
  'soup',
  'sauce',
  'cream',
  'ink',
  'paint',
  'sand',
  'rice',
  'grain',
  'grains',
  'cereal',
  'flour',
  'sugar',
  'salt',
]);

/**
 * Verb counterparts, one entry per direction. Scope: actions whose reversal is another everyday action on the
 * same object (open/close, put in/take out), camera moves (zoom, pan, tilt) and entering/leaving a place.
 */
export const VERB_RULES: readonly VerbRule[] = [
  ...SIMPLE_PAIRS.flatMap(([a, b, particles]) => [
    particles ? { from: a, to: b, particles, maxGap: 0 } : { from: a, to: b },
    { from: b, to: a },
  ]),
  { from: SHUT, to: OPEN },
  { from: VANISH, to: APPEAR },
  { from: PUSH, to: PULL, particles: PUSH_PULL_PARTICLES },
  { from: PULL, to: PUSH, particles: PUSH_PULL_PARTICLES },
  {
    from: PUT,
    to: TAKE,
    particleRequired: true,
    particles: [
      p('into', 'out of', 'out', 'block'),
      p('inside', 'out of', 'out', 'block'),
      p('in', 'out of', 'out', 'object'),
      p('onto', 'off', 'off', 'block'),
      p('on', 'off', 'off', 'object'),
      p('down', 'up', 'up', 'object', PICK),
    ],
  },
  {
    from: TAKE,
    to: PUT,
    particleRequired: true,
    particles: [
      p('out of', 'into', 'in', 'block'),
      p('out', 'in', 'in', 'object'),
      p('off of', 'onto', 'on', 'block'),
      p('off', 'on', 'on', 'object'),
    ],
  },
  { from: PICK, to: PUT, particleRequired: true, particles: [p('up', 'down', 'down', 'object')] },
  { from: LIFT, to: PUT, insert: 'down', particles: [p('up', 'down', 'down', 'object')] },
  { from: RISE, to: SINK, particles: [p('up', 'down')], maxGap: 0 },
  { from: SINK, to: RISE, particles: [p('down', 'up')], maxGap: 0 },
  { from: APPROACH, to: RECEDE, insertBeforeObject: 'from' },
  { from: RECEDE, to: APPROACH, particles: [p('from', '', '')], maxGap: 0 },
  { from: ARRIVE, to: LEAVE, particles: [p('at', '', ''), p('in', '', '')], maxGap: 0 },
  { from: LEAVE, to: ARRIVE, insertBeforeObject: 'at' },
  { from: DEPART, to: ARRIVE, particles: [p('from', 'at', 'at')], maxGap: 0, insertBeforeObject: 'at' },
  {
    from: ZOOM,
    to: ZOOM,
    particleRequired: true,
    maxGap: 0,
    particles: [p('in on', 'out from'), p('out from', 'in on'), p('in', 'out'), p('out', 'in')],
  },
  {
    from: PAN,
    to: PAN,
    particleRequired: true,
    maxGap: 0,
    particles: [p('left', 'right'), p('right', 'left'), ...UP_DOWN],
  },
  { from: TILT, to: TILT, particleRequired: true, maxGap: 0, particles: UP_DOWN },
  { from: GO, to: COME, particleRequired: true, maxGap: 0, particles: [...IN_OUT, ...UP_DOWN] },
  { from: COME, to: GO, particleRequired: true, maxGap: 0, particles: [...IN_OUT, ...UP_DOWN] },
  { from: GET, to: GET, particleRequired: true, maxGap: 0, particles: [...IN_OUT, ...ON_OFF] },
  { from: TURN, to: TURN, particleRequired: true, particles: ON_OFF, context: DEVICES },
  { from: SWITCH, to: SWITCH, particleRequired: true, particles: ON_OFF },
  {
    from: PLUG,
    to: UNPLUG,
    particleRequired: true,
    particles: [p('into', 'from', '', 'block'), p('in', 'from', '', 'object')],
  },
  { from: UNPLUG, to: PLUG, insert: 'in', particles: [p('from', 'into', 'in', 'block')] },
  { from: ATTACH, to: DETACH, particles: [p('to', 'from', 'from', 'block')] },
  { from: DETACH, to: ATTACH, particles: [p('from', 'to', 'to', 'block')] },
  { from: CONNECT, to: DISCONNECT, particles: [p('to', 'from', 'from', 'block')] },
  { from: DISCONNECT, to: CONNECT, particles: [p('from', 'to', 'to', 'block')] },
  { from: FILL, to: EMPTY, liquid: true, particles: [UP_DROPPED, p('with', 'of', 'of', 'block')] },
  { from: EMPTY, to: FILL, liquid: true, particles: [p('of', 'with', 'with', 'block')] },
  { from: SWING, to: SWING, particleRequired: true, maxGap: 3, particles: RESULTATIVE },
  { from: SLIDE, to: SLIDE, particleRequired: true, maxGap: 3, particles: RESULTATIVE },
  { from: FLY, to: FLY, particleRequired: true, maxGap: 0, particles: RESULTATIVE },
];

/**
 * Fixed phrases and their counterparts. Scope: paths and directions of motion ("from left to right",
 * "towards the camera", "clockwise"), read as words, never inside a longer word.
 */
export const PHRASE_RULES: readonly PhraseRule[] = [
  ...twoWay('left to right', 'right to left'),
  ...twoWay('the left to the right', 'the right to the left'),
  ...twoWay('top to bottom', 'bottom to top', false, true),
  ...twoWay('left-to-right', 'right-to-left'),
  ...twoWay('top-to-bottom', 'bottom-to-top', false, true),
  ...twoWay('clockwise', 'counterclockwise'),
  { from: 'anticlockwise', to: 'clockwise' },
  { from: 'anti-clockwise', to: 'clockwise' },
  { from: 'counter-clockwise', to: 'clockwise' },
  ...twoWay('zoom-in', 'zoom-out'),
  { from: 'towards', to: 'away from', direction: true },
  { from: 'toward', to: 'away from', direction: true },
  { from: 'away from', to: 'towards', direction: true },
  ...twoWay('to the left', 'to the right', true),
  ...twoWay('leftward', 'rightward', true),
  ...twoWay('leftwards', 'rightwards', true),
  ...twoWay('upward', 'downward', true, true),
  ...twoWay('upwards', 'downwards', true, true),
  ...twoWay('to the top', 'to the bottom', true, true),
  { from: 'to the surface', to: 'to the bottom', direction: true, vertical: true },
  { from: 'closer to', to: 'farther from', direction: true },
  { from: 'farther from', to: 'closer to', direction: true },
  { from: 'further from', to: 'closer to', direction: true },
  { from: 'closer', to: 'farther away', direction: true },
  { from: 'farther away', to: 'closer', direction: true },
  { from: 'further away', to: 'closer', direction: true },
];

function twoWay(a: string, b: string, direction = false, vertical = false): PhraseRule[] {
  const flags = { ...(direction ? { direction } : {}), ...(vertical ? { vertical } : {}) };
  return [
    { from: a, to: b, ...flags },
    { from: b, to: a, ...flags },
  ];
}

/** Posture and gaze verbs: "faces towards the camera" is a pose, not a path, and stays as it is. */
export const POSTURE_WORDS: ReadonlySet<string> = new Set([
  'face',
  'faces',
  'faced',
  'facing',
  'look',
  'looks',
  'looked',
  'looking',
  'point',
  'points',
  'pointed',
  'pointing',
  'stare',
  'stares',
  'staring',
  'gaze',
  'gazes',
  'gazing',
  'glance',
  'glances',
  'glancing',
  'sit',
  'sits',
  'sat',
  'sitting',
  'stand',
  'stands',
  'stood',
  'standing',
  'lie',
  'lies',
  'lying',
  'lean',
  'leans',
  'leaning',
  'located',
  'positioned',
  'seen',
  'turn',
  'turns',
  'turned',
  'turning',
]);

/**
 * Words that make a reversed clip implausible (the `irreversible` column of {@link MOTION_WORDS}). Scope: gravity
 * (falls, drops, tumbles, lands), impulses and impacts (throws, kicks, catches, crashes), liquids and spreading (pours,
 * splashes, smoke, steam), irreversible state changes (breaks, tears, cuts, melts, burns, eats, mixes, writes) and
 * forward locomotion (walks, drives). Unlike counterparts they are read inside hyphenated words too ("free-falling")
 * and after articles ("a fall").
 */
export const IRREVERSIBLE: readonly IrreversibleEntry[] = MOTION_WORDS.flatMap((w) =>
  w.irreversible ? [w.irreversible] : [],
);

/**
 * Direction-free motion (the `symmetric` column of {@link MOTION_WORDS}): reversed, the caption still holds ("a flag
 * flutters", "a wheel spins"). Scope: oscillation, rotation without a stated sense, vibration, periodic gestures.
 */
export const SYMMETRIC: readonly (readonly string[])[] = MOTION_WORDS.flatMap((w) =>
  w.symmetric ? [w.symmetric] : [],
);

// Where a lexicon word is not the verb it looks like (pinned by test/fixtures/tricky-captions.json).

/**
 * Nouns that an -ing or base form modifies in a compound ("a cutting mat", "a rain jacket", "running shoes", "a swing
 * set"): there the word names a thing, not a motion, and is not read. Third-person and past forms still read ("drops
 * glasses"), and so does a form before any other noun ("a falling rock", "a burning candle").
 */
export const COMPOUND_HEADS: ReadonlySet<string> = new Set([
  'mat',
  'mats',
  'board',
  'boards',
  'pin',
  'pins',
  'stick',
  'sticks',
  'pool',
  'pools',
  'shoe',
  'shoes',
  'sneakers',
  'boots',
  'bag',
  'bags',
  'bowl',
  'bowls',
  'glass',
  'glasses',
  'straw',
  'straws',
  'fountain',
  'strip',
  'strips',
  'rink',
  'rinks',
  'news',
  'jacket',
  'jackets',
  'coat',
  'coats',
  'detector',
  'detectors',
  'alarm',
  'alarms',
  'iron',
  'helmet',
  'helmets',
  'bottle',
  'bottles',
  'song',
  'songs',
  'scooter',
  'scooters',
  'lesson',
  'lessons',
  'trail',
  'trails',
  'track',
  'tracks',
  'lane',
  'lanes',
  'gear',
  'suit',
  'suits',
  'costume',
  'trunks',
  'cap',
  'caps',
  'tray',
  'trays',
  'machine',
  'machines',
  'instructor',
  'school',
  'team',
  'club',
  'equipment',
  'tool',
  'tools',
  'spoon',
  'pad',
  'pads',
  'site',
  'page',
  'zone',
  'course',
  'forest',
  'gauge',
  'edge',
  'set',
  'sets',
  'chair',
  'chairs',
  'foliage',
  'colors',
  'colours',
  'season',
  'festival',
  'weather',
]);

/** Nouns of quantity that look like verbs: "a drop of water", "two slices of bread" are things, not motions. */
export const QUANTITY_NOUNS: ReadonlySet<string> = new Set(['drop', 'drops', 'slice', 'slices', 'cut', 'cuts']);
/** Words before a quantity noun (with "of" after it): "a drop of", "several slices of"; not "the drop of the ball". */
export const QUANTITY_START: ReadonlySet<string> = new Set([
  'a',
  'an',
  'one',
  'two',
  'three',
  'few',
  'several',
  'some',
  'many',
  'thin',
  'thick',
  'small',
  'big',
  'single',
  'each',
]);

/** "fall" as the season: after these words ("in the fall", "this fall"). */
export const SEASON_BEFORE: ReadonlySet<string> = new Set(['this', 'last', 'next', 'early', 'late', 'in', 'during']);

/**
 * Phrases saying that the clip already plays backwards: its words then describe the other direction of time, so the
 * caption is not read at all (unknown). "reverse angle", "in reverse order" and "walks backwards" are not among them.
 */
export const REVERSED_PLAYBACK: readonly string[] = [
  'played backwards',
  'played backward',
  'plays backwards',
  'plays backward',
  'playing backwards',
  'playing backward',
  'played in reverse',
  'plays in reverse',
  'playing in reverse',
  'played back in reverse',
  'shown in reverse',
  'shown backwards',
  'runs in reverse',
  'run in reverse',
  'running in reverse',
  'in reverse motion',
  'reverse motion',
  'reversed motion',
  'reverse playback',
  'reversed playback',
  'backwards playback',
  'backward playback',
  'reverse video',
  'reversed video',
  'reverse footage',
  'reversed footage',
  'reverse clip',
  'reversed clip',
  'backwards video',
  'backwards footage',
  'time-reversed',
  'time reversed',
  'reverse-motion',
  'rewound clip',
  'rewound footage',
  'rewound video',
  'in rewind',
];
/** "in reverse" alone means playback too, unless one of these follows ("in reverse order") ... */
export const IN_REVERSE_NOT_BEFORE: ReadonlySet<string> = new Set([
  'order',
  'gear',
  'direction',
  'sequence',
  'chronological',
  'alphabetical',
]);
/** ... or a vehicle's reversing stands within three words before it ("the car backs out in reverse"). */
export const IN_REVERSE_NOT_AFTER: ReadonlySet<string> = new Set([
  'drive',
  'drives',
  'drove',
  'driving',
  'driven',
  'back',
  'backs',
  'backed',
  'backing',
  'car',
  'truck',
  'van',
  'bus',
  'vehicle',
  'tractor',
  'gear',
  'shift',
  'shifts',
  'shifted',
  'put',
  'puts',
  'parks',
  'parked',
  'parking',
]);

/**
 * "wave"/"waves" is a direction-free gesture after a subject ("she waves", "a girl waves goodbye") but water
 * otherwise ("ocean waves", "the waves", "waves crash"): read as a verb only when the word before it is none of
 * these and, unless that word is a subject pronoun, the clause ends or one of {@link WAVE_VERB_NEXT} follows.
 */
export const WAVE_FORMS: ReadonlySet<string> = new Set(['wave', 'waves']);
export const WAVE_NOUN_AFTER: ReadonlySet<string> = new Set([
  'ocean',
  'sea',
  'lake',
  'river',
  'big',
  'huge',
  'giant',
  'small',
  'tall',
  'high',
  'large',
  'massive',
  'gentle',
  'rolling',
  'crashing',
  'breaking',
  'tidal',
  'sound',
  'radio',
  'light',
  'heat',
  'shock',
  'brain',
  'white',
  'blue',
  'choppy',
  'rough',
  'of',
  'in',
  'on',
  'at',
  'with',
  'by',
  'under',
  'over',
  'through',
  'into',
  'onto',
  'from',
  'and',
  'or',
  'some',
  'many',
  'few',
  'several',
  'two',
  'three',
  'new',
  'more',
  'permanent',
  'hair',
]);
export const WAVE_VERB_NEXT: ReadonlySet<string> = new Set([
  'at',
  'to',
  'goodbye',
  'hello',
  'hi',
  'bye',
  'back',
  'her',
  'his',
  'their',
  'its',
  'my',
  'your',
  'our',
  'a',
  'the',
  'both',
  'and',
  'again',
  'repeatedly',
  'happily',
  'enthusiastically',
  'frantically',
  'from',
  'towards',
  'toward',
]);

/**
 * Verbs ending in -s that take an adjective or particle after them ("keeps open", "stays closed", "swings open"): the
 * word before a base form like "open" is a plural subject ("the doors open") only when it is none of these.
 */
export const NOT_PLURAL_SUBJECT: ReadonlySet<string> = new Set([
  'keeps',
  'stays',
  'remains',
  'looks',
  'seems',
  'sits',
  'stands',
  'lies',
  'hangs',
  'leaves',
  'gets',
  'pushes',
  'pulls',
  'swings',
  'slides',
  'flies',
  'springs',
  'bursts',
  'breaks',
  'pops',
  'comes',
  'goes',
  'turns',
  'holds',
  'sets',
  'props',
  'kicks',
  'falls',
  'is',
  'was',
  'has',
  'does',
  'this',
  'its',
  'his',
  'hers',
  'ours',
  'yours',
  'theirs',
  'us',
  'as',
  'thus',
  'always',
  'sometimes',
  'perhaps',
  'less',
  'across',
  'towards',
  'afterwards',
  'backwards',
  'forwards',
]);
