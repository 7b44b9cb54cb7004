// The motion words as one table: how the caption lexicon, the caption_direction check and the rule routing each
// read a word, side by side, so a word added for one reader is seen by the others.
//
// Three readers use it, each in its own way (the columns do not have to agree, and often do not on purpose):
// - the caption lexicon (labels/captions.ts) reads exact word forms: `irreversible` and `symmetric` are its word
//   lists (lexicon.ts exports them as IRREVERSIBLE and SYMMETRIC); `partner` names the counterpart its rewrite rules
//   (lexicon.ts VERB_RULES, PHRASE_RULES) swap the word for, kept here for the reader and checked by a test;
// - caption_direction (physics/checks/caption-direction.ts) reads `states`: regular-expression fragments matched on
//   lower-case text at word boundaries, one alternation per direction;
// - rule routing (physics/route.ts) reads `routes`: regular-expression fragments matched case-insensitively at word
//   starts ("fall" also matches "fallen"), one list per check.
//
// Order matters for routing only: a rule is routed to a check by the first of the check's patterns, in table order,
// that matches anywhere in it (it names the reason). A word routed to two checks at different places in their orders
// has a second row with only its later routes ("bounce", "throw", "trajectory", "slide", "roll").

/** Directions a text can state: down is +vy on the image, toward the camera is spreading flow (+div). */
export type StatedDirection =
  | 'down'
  | 'up'
  | 'right'
  | 'left'
  | 'toward_camera'
  | 'away_from_camera'
  | 'outward'
  | 'inward';

/**
 * The order caption_direction tries the directions in: a stretch of text read for one direction is not read again
 * for a later one ("away from the camera" is away_from_camera, not outward "away from").
 */
export const STATED_DIRECTIONS: readonly StatedDirection[] = Object.freeze([
  'right',
  'left',
  'toward_camera',
  'away_from_camera',
  'inward',
  'outward',
  'down',
  'up',
]);

/** The physics checks a rule is routed to by its words, in the order routing lists them. */
export type RoutedCheck = 'time_direction' | 'gravity' | 'momentum' | 'persistence';
export const ROUTED_CHECKS: readonly RoutedCheck[] = Object.freeze([
  'time_direction',
  'gravity',
  'momentum',
  'persistence',
]);

/** A word (all its forms) that makes a reversed clip implausible, optionally only before one of `tails`. */
export interface IrreversibleEntry {
  readonly forms: readonly string[];
  readonly tails?: readonly string[];
}

/** One row: a word (a lemma or a phrase) and how each reader reads it; a missing column means that reader does not. */
export interface MotionWord {
  readonly word: string;
  /** Caption lexicon: forms that make a reversed clip implausible. */
  readonly irreversible?: IrreversibleEntry;
  /** Caption lexicon: direction-free forms or phrases (reversed, the caption still holds). */
  readonly symmetric?: readonly string[];
  /** Caption lexicon: the counterpart a reversed caption gets (the rewrite rules in lexicon.ts hold the grammar). */
  readonly partner?: string;
  /** caption_direction: per direction, the pattern that reads the word as stating it. */
  readonly states?: Partial<Record<StatedDirection, string>>;
  /** Routing: per check, the patterns that send a rule with the word to it, in order. */
  readonly routes?: Partial<Record<RoutedCheck, readonly string[]>>;
}

const irr = (...forms: string[]): IrreversibleEntry => ({ forms });
const irrBefore = (tails: string[], ...forms: string[]): IrreversibleEntry => ({ forms, tails });
/** "tumbles down", "rolling downhill": a stem with a verb ending, then down. */
const down = (stem: string) => `${stem}(?:es|s|e|ing|ed)? down(?:wards?|hill)?`;
/** "floats up", "flies upwards": a stem with a verb ending, then up. */
const up = (stem: string) => `${stem}(?:es|s|e|ies|ing)? up(?:wards?|hill)?`;
const row = (word: string, columns: Omit<MotionWord, 'word'>): MotionWord => ({ word, ...columns });

/** The table. Sections follow the routing checks; words no check routes on come with their kind. */
export const MOTION_WORDS: readonly MotionWord[] = Object.freeze([
  // Paths on the image and towards or away from the camera.
  row('left to right', { partner: 'right to left', states: { right: 'left to right' } }),
  row('to the right', { partner: 'to the left', states: { right: 'to the right' } }),
  row('rightward', { partner: 'leftward', states: { right: 'rightwards?' } }),
  row('right to left', { partner: 'left to right', states: { left: 'right to left' } }),
  row('to the left', { partner: 'to the right', states: { left: 'to the left' } }),
  row('leftward', { partner: 'rightward', states: { left: 'leftwards?' } }),
  row('towards', { partner: 'away from', states: { toward_camera: 'towards? the (?:camera|viewer|lens)' } }),
  row('approach', { partner: 'recede', states: { toward_camera: 'approach(?:es|ing)? the (?:camera|viewer)' } }),
  row('at the camera', { states: { toward_camera: 'at the camera' } }),
  row('away from', {
    partner: 'towards',
    states: { away_from_camera: 'away from the (?:camera|viewer|lens)', outward: 'away from' },
  }),
  row('into the distance', { states: { away_from_camera: 'into the distance' } }),
  row('recede', { partner: 'approach', states: { away_from_camera: 'reced(?:es|ing)' } }),
  row('converge', { states: { inward: 'converg(?:es?|ing)' } }),
  row('towards each other', { states: { inward: 'towards? each other' } }),
  row('come together', { states: { inward: '(?:comes?|coming|brought|drawn) together' } }),

  // Liquids, spreading and changes of state (time_direction).
  row('pour', {
    irreversible: irr('pour', 'pours', 'poured', 'pouring'),
    states: { down: 'pour(?:s|ing|ed)?' },
    routes: { time_direction: ['pour'] },
  }),
  row('spill', {
    irreversible: irr('spill', 'spills', 'spilled', 'spilt', 'spilling'),
    routes: { time_direction: ['spill'] },
  }),
  row('splash', {
    irreversible: irr('splash', 'splashes', 'splashed', 'splashing'),
    routes: { time_direction: ['splash'] },
  }),
  row('splatter', { irreversible: irr('splatter', 'splatters', 'splattered', 'splattering') }),
  row('spray', { irreversible: irr('spray', 'sprays', 'sprayed', 'spraying') }),
  row('squirt', { irreversible: irr('squirt', 'squirts', 'squirted', 'squirting') }),
  row('leak', { irreversible: irr('leak', 'leaks', 'leaked', 'leaking') }),
  row('sprinkle', { irreversible: irr('sprinkle', 'sprinkles', 'sprinkled', 'sprinkling') }),
  row('scatter', {
    irreversible: irr('scatter', 'scatters', 'scattered', 'scattering'),
    states: { outward: 'scatter(?:s|ed|ing)?' },
  }),
  row('disperse', { states: { outward: 'dispers(?:es?|ing)' } }),
  row('fan out', { states: { outward: 'fans? out' } }),
  row('radiate out', { states: { outward: 'radiat(?:es?|ing) out' } }),
  row('smoke', { irreversible: irr('smoke', 'smokes', 'smoking') }),
  row('steam', { irreversible: irr('steam', 'steams', 'steaming') }),
  row('melt', { irreversible: irr('melt', 'melts', 'melted', 'melting'), routes: { time_direction: ['melt'] } }),
  row('burn', {
    irreversible: irr('burn', 'burns', 'burned', 'burnt', 'burning'),
    routes: { time_direction: ['burn'] },
  }),
  row('shatter', {
    irreversible: irr('shatter', 'shatters', 'shattered', 'shattering'),
    routes: { time_direction: ['shatter'] },
  }),
  row('break', {
    irreversible: irr('break', 'breaks', 'broke', 'broken', 'breaking'),
    routes: { time_direction: ['break(?:s|ing)?\\b', 'broke'] },
  }),
  row('crack', { irreversible: irr('crack', 'cracks', 'cracked', 'cracking'), routes: { time_direction: ['crack'] } }),
  row('tear', {
    irreversible: irr('tear', 'tears', 'tore', 'torn', 'tearing'),
    routes: { time_direction: ['tear(?:s|ing)? (?:apart|open|through|off)', 'torn'] },
  }),
  row('rip', { irreversible: irr('rip', 'rips', 'ripped', 'ripping') }),
  row('dissolve', {
    irreversible: irr('dissolve', 'dissolves', 'dissolved', 'dissolving'),
    routes: { time_direction: ['dissolv'] },
  }),
  row('spread', {
    irreversible: irr('spread', 'spreads', 'spreading'),
    states: { outward: 'spread(?:s|ing)? out' },
    routes: { time_direction: ['spread'] },
  }),
  row('fill', { partner: 'empty', routes: { time_direction: ['fill(?:s|ing|ed)?\\b'] } }),
  row('drain', { irreversible: irr('drain', 'drains', 'drained', 'draining'), routes: { time_direction: ['drain'] } }),
  row('evaporate', {
    irreversible: irr('evaporate', 'evaporates', 'evaporated', 'evaporating'),
    routes: { time_direction: ['evaporat'] },
  }),
  row('freeze', { routes: { time_direction: ['freez'] } }),
  row('ignite', { routes: { time_direction: ['ignit'] } }),
  row('explode', {
    irreversible: irr('explode', 'explodes', 'exploded', 'exploding', 'explosion'),
    states: { outward: 'explod(?:es?|ing)' },
    routes: { time_direction: ['explod'] },
  }),
  row('fireworks', { irreversible: irr('fireworks') }),
  row('burst', {
    irreversible: irr('burst', 'bursts', 'bursting'),
    states: { outward: 'burst(?:s|ing)? (?:out|apart)' },
  }),
  row('pop', { irreversible: irr('pops', 'popped', 'popping') }),
  row('crumble', {
    irreversible: irr('crumble', 'crumbles', 'crumbled', 'crumbling'),
    routes: { time_direction: ['crumbl'] },
  }),
  row('crumple', { irreversible: irr('crumple', 'crumples', 'crumpled', 'crumpling') }),
  row('crush', { irreversible: irr('crush', 'crushes', 'crushed', 'crushing'), routes: { time_direction: ['crush'] } }),
  row('smash', { irreversible: irr('smash', 'smashes', 'smashed', 'smashing'), routes: { time_direction: ['smash'] } }),
  row('stir', { routes: { time_direction: ['stir'] } }),
  row('mix', { irreversible: irr('mix', 'mixes', 'mixed', 'mixing'), routes: { time_direction: ['mix'] } }),
  row('blend', { irreversible: irr('blend', 'blends', 'blended', 'blending') }),
  row('whisk', { irreversible: irr('whisk', 'whisks', 'whisked', 'whisking') }),
  row('churn', { irreversible: irr('churn', 'churns', 'churned', 'churning') }),
  row('drip', {
    irreversible: irr('drip', 'drips', 'dripped', 'dripping'),
    states: { down: 'drips?|dripping' },
    routes: { time_direction: ['drip'] },
  }),
  row('foam', { routes: { time_direction: ['foam'] } }),
  row('cut', { irreversible: irr('cut', 'cuts', 'cutting') }),
  row('slice', { irreversible: irr('slice', 'slices', 'sliced', 'slicing') }),
  row('chop', { irreversible: irr('chop', 'chops', 'chopped', 'chopping') }),
  row('peel', { irreversible: irr('peel', 'peels', 'peeled', 'peeling') }),
  row('shred', { irreversible: irr('shred', 'shreds', 'shredded', 'shredding') }),
  row('rot', { irreversible: irr('rot', 'rots', 'rotted', 'rotting') }),
  row('wilt', { irreversible: irr('wilt', 'wilts', 'wilted', 'wilting') }),
  row('wither', { irreversible: irr('wither', 'withers', 'withered', 'withering') }),
  row('eat', { irreversible: irr('eat', 'eats', 'ate', 'eaten', 'eating') }),
  row('bite', { irreversible: irr('bite', 'bites', 'bitten', 'biting') }),
  row('drink', { irreversible: irr('drink', 'drinks', 'drank', 'drunk', 'drinking') }),
  row('sip', { irreversible: irr('sip', 'sips', 'sipped', 'sipping') }),
  row('write', { irreversible: irr('writes', 'wrote', 'written', 'writing') }),
  row('paint', { irreversible: irr('paints') }),
  row('scribble', { irreversible: irr('scribbles', 'scribbled', 'scribbling') }),

  // Falling, rising and flight (gravity).
  row('fall', {
    irreversible: irr('fall', 'falls', 'fell', 'fallen', 'falling'),
    states: { down: 'falls?|falling|fell' },
    routes: { gravity: ['fall', 'fell\\b'] },
  }),
  row('drop', {
    irreversible: irr('drop', 'drops', 'dropped', 'dropping'),
    states: { down: 'drops?(?! of)|dropping|dropped' },
    routes: { gravity: ['drop'] },
  }),
  row('gravity', { routes: { gravity: ['gravity'] } }),
  row('downward', { partner: 'upward', states: { down: 'downwards?' }, routes: { gravity: ['downward'] } }),
  row('downhill', { states: { down: 'downhill' } }),
  row('descend', { partner: 'ascend', states: { down: 'descend(?:s|ing)?' }, routes: { gravity: ['descend'] } }),
  row('land', {
    irreversible: irr('lands', 'landed', 'landing'),
    states: { down: 'lands?|landing' },
    routes: { gravity: ['land(?:s|ing|ed)?\\b'] },
  }),
  row('tumble', {
    irreversible: irr('tumble', 'tumbles', 'tumbled', 'tumbling'),
    states: { down: down('tumbl') },
    routes: { gravity: ['tumbl'] },
  }),
  row('toss', { irreversible: irr('toss', 'tosses', 'tossed', 'tossing'), routes: { gravity: ['toss'] } }),
  row('throw', {
    irreversible: irr('throw', 'throws', 'threw', 'thrown', 'throwing'),
    routes: { gravity: ['thrown', 'throw'] },
  }),
  row('trajectory', { routes: { gravity: ['trajector'] } }),
  row('arc', { routes: { gravity: ['arc(?:s|ing)?\\b'] } }),
  row('bounce', { states: { up: up('bounc') }, routes: { gravity: ['bounc'] } }),
  row('hang', { routes: { gravity: ['hang'] } }),
  row('weight', { routes: { gravity: ['weight'] } }),
  row('pulled down', { routes: { gravity: ['pulled down'] } }),
  row('roll', {
    irreversible: irrBefore(['down', 'off'], 'roll', 'rolls', 'rolled', 'rolling'),
    states: { down: down('roll') },
    routes: { gravity: ['roll(?:s|ing|ed)? down'] },
  }),
  row('slide', {
    irreversible: irrBefore(['down', 'off', 'to a stop', 'to a halt'], 'slide', 'slides', 'slid', 'sliding'),
    partner: 'slide',
    states: { down: down('slid') },
    routes: { gravity: ['slid(?:e|es|ing)? down'] },
  }),
  row('rise', { partner: 'sink', states: { up: 'rises?|rising|rose' }, routes: { gravity: ['rise', 'rising'] } }),
  row('lift', { partner: 'put', states: { up: 'lift(?:s|ing|ed)?' }, routes: { gravity: ['lift'] } }),
  row('float', { states: { down: down('float'), up: up('float') }, routes: { gravity: ['float'] } }),
  row('hover', { routes: { gravity: ['hover'] } }),
  row('levitate', { routes: { gravity: ['levitat'] } }),
  row('jump', {
    irreversible: irrBefore(['into', 'in', 'off', 'onto', 'down', 'out of'], 'jump', 'jumps', 'jumped', 'jumping'),
    states: { up: up('jump') },
    routes: { gravity: ['jump'] },
  }),
  row('leap', { states: { up: up('leap') }, routes: { gravity: ['leap'] } }),
  row('sink', { partner: 'rise', states: { down: 'sinks?|sinking|sank' } }),
  row('plummet', { states: { down: 'plummet(?:s|ing)?' } }),
  row('cascade', { states: { down: 'cascad(?:es?|ing)' } }),
  row('settle', { states: { down: 'settl(?:es?|ing) (?:down|to the)' } }),
  row('flow', { states: { down: down('flow') } }),
  row('trickle', { states: { down: down('trickl') } }),
  row('go', { partner: 'come', states: { down: down('go'), up: up('go') } }),
  row('move', { states: { down: down('mov'), up: up('mov') } }),
  row('drift', { states: { down: down('drift'), up: up('drift') } }),
  row('fly', { partner: 'fly', states: { up: up('fl') } }),
  row('shoot', { irreversible: irr('shoot', 'shoots', 'shooting'), states: { up: up('shoot') } }),
  row('climb', { states: { up: `${up('climb')}|climbs?|climbing` } }),
  row('spring', { states: { up: up('spring') } }),
  row('rocket', { states: { up: up('rocket') } }),
  row('ascend', { partner: 'descend', states: { up: 'ascend(?:s|ing)?' } }),
  row('raise', { partner: 'lower', states: { up: 'rais(?:es?|ing|ed)' } }),
  row('upward', { partner: 'downward', states: { up: 'upwards?' } }),
  row('uphill', { states: { up: 'uphill' } }),
  row('take off', { states: { up: 'takes? off|taking off' } }),
  row('soar', { states: { up: 'soar(?:s|ing)?' } }),
  row('topple', { irreversible: irr('topple', 'topples', 'toppled', 'toppling') }),
  row('collapse', { irreversible: irr('collapse', 'collapses', 'collapsed', 'collapsing') }),
  row('dive', { irreversible: irr('dive', 'dives', 'dived', 'dove', 'diving') }),
  row('rain', {
    irreversible: irr(
      'waterfall',
      'waterfalls',
      'rain',
      'rains',
      'rained',
      'raining',
      'rainfall',
      'raindrops',
      'snowing',
      'snowfall',
    ),
  }),
  row('tip', { irreversible: irrBefore(['over'], 'tip', 'tips', 'tipped', 'tipping') }),
  row('grind', { irreversible: irrBefore(['to a halt'], 'grind', 'grinds', 'ground', 'grinding') }),

  // Impulses, impacts and coasting (momentum).
  row('momentum', { routes: { momentum: ['momentum'] } }),
  row('inertia', { routes: { momentum: ['inertia'] } }),
  row('collide', { routes: { momentum: ['collid', 'collision'] } }),
  row('bounce', { routes: { momentum: ['bounc'] } }),
  row('rebound', { routes: { momentum: ['rebound'] } }),
  row('impact', { routes: { momentum: ['impact'] } }),
  row('hit', { irreversible: irr('hit', 'hits', 'hitting'), routes: { momentum: ['hit(?:s|ting)?\\b'] } }),
  row('strike', { irreversible: irr('strike', 'strikes', 'struck', 'striking'), routes: { momentum: ['strik'] } }),
  row('kick', { irreversible: irr('kick', 'kicks', 'kicked', 'kicking'), routes: { momentum: ['kick'] } }),
  row('push', { partner: 'pull', routes: { momentum: ['push'] } }),
  row('throw', { routes: { momentum: ['thrown', 'throw'] } }),
  row('slide', { routes: { momentum: ['slid(?:e|es|ing)?\\b'] } }),
  row('glide', { states: { down: down('glid') }, routes: { momentum: ['glid'] } }),
  row('roll', { routes: { momentum: ['roll(?:s|ing|ed)?\\b'] } }),
  row('speed', { routes: { momentum: ['speed'] } }),
  row('velocity', { routes: { momentum: ['velocit'] } }),
  row('trajectory', { routes: { momentum: ['trajector'] } }),
  row('recoil', { routes: { momentum: ['recoil'] } }),
  row('swing', {
    symmetric: ['swing', 'swings', 'swung', 'swinging'],
    partner: 'swing',
    routes: { momentum: ['swing'] },
  }),
  row('come', {
    irreversible: irrBefore(['to a stop', 'to a halt', 'to rest', 'to a rest'], 'come', 'comes', 'came', 'coming'),
    partner: 'go',
    states: { down: down('com') },
    routes: { momentum: ['comes? to a (?:stop|halt)'] },
  }),
  row('stop', { routes: { momentum: ['stops\\b'] } }),
  row('continue', { routes: { momentum: ['continues? (?:to move|moving|rolling|sliding)'] } }),
  row('decelerate', { routes: { momentum: ['decelerat'] } }),
  row('accelerate', { routes: { momentum: ['accelerat'] } }),
  row('propel', { routes: { momentum: ['propel'] } }),
  row('knock', {
    irreversible: irrBefore(['over', 'down', 'off'], 'knock', 'knocks', 'knocked', 'knocking'),
    routes: { momentum: ['knock'] },
  }),
  row('punch', { irreversible: irr('punch', 'punches', 'punched', 'punching') }),
  row('catch', { irreversible: irr('catch', 'catches', 'caught', 'catching') }),
  row('crash', { irreversible: irr('crash', 'crashes', 'crashed', 'crashing') }),
  row('slam', { irreversible: irr('slam', 'slams', 'slammed', 'slamming') }),
  row('skid', { irreversible: irr('skid', 'skids', 'skidded', 'skidding') }),
  row('blow', {
    irreversible: irrBefore(['away', 'out'], 'blow', 'blows', 'blew', 'blown', 'blowing'),
    states: { outward: 'blown (?:away|off)|blows? (?:away|off)' },
  }),

  // Appearing and staying (persistence).
  row('disappear', { partner: 'appear', routes: { persistence: ['disappear'] } }),
  row('vanish', { partner: 'appear', routes: { persistence: ['vanish'] } }),
  row('appear', { partner: 'disappear', routes: { persistence: ['appear'] } }),
  row('remain', { routes: { persistence: ['remain'] } }),
  row('intact', { routes: { persistence: ['intact'] } }),
  row('permanent', { routes: { persistence: ['permanen'] } }),
  row('continuous', { routes: { persistence: ['continuous'] } }),
  row('same number', { routes: { persistence: ['same number'] } }),
  row('same shape', { routes: { persistence: ['same shape'] } }),
  row('does not change', { routes: { persistence: ['does not change'] } }),
  row('unchanged', { routes: { persistence: ['unchanged'] } }),
  row('conserve', { routes: { persistence: ['conserv'] } }),
  row('emerge', { routes: { persistence: ['emerge'] } }),
  row('materialize', { routes: { persistence: ['materializ'] } }),
  row('teleport', { routes: { persistence: ['teleport'] } }),

  // Forward locomotion: reversed it is walking or driving backwards.
  row('walk', { irreversible: irr('walk', 'walks', 'walked', 'walking') }),
  row('run', { irreversible: irr('run', 'runs', 'ran', 'running') }),
  row('jog', { irreversible: irr('jog', 'jogs', 'jogged', 'jogging') }),
  row('sprint', { irreversible: irr('sprint', 'sprints', 'sprinted', 'sprinting') }),
  row('stroll', { irreversible: irr('stroll', 'strolls', 'strolled', 'strolling') }),
  row('hike', { irreversible: irr('hike', 'hikes', 'hiked', 'hiking') }),
  row('drive', { irreversible: irr('drive', 'drives', 'drove', 'driven', 'driving') }),
  row('ride', { irreversible: irr('ride', 'rides', 'rode', 'ridden', 'riding') }),
  row('swim', { irreversible: irr('swim', 'swims', 'swam', 'swum', 'swimming') }),
  row('crawl', { irreversible: irr('crawl', 'crawls', 'crawled', 'crawling') }),
  row('gallop', { irreversible: irr('gallop', 'gallops', 'galloped', 'galloping') }),
  row('skate', { irreversible: irr('skate', 'skates', 'skated', 'skating') }),
  row('skateboard', { irreversible: irr('skateboard', 'skateboards', 'skateboarding') }),
  row('surf', { irreversible: irr('surf', 'surfs', 'surfing') }),

  // Direction-free motion: oscillation, rotation without a stated sense, vibration, periodic gestures. "wave"/"waves"
  // are left out (ocean waves crash: see WAVE_FORMS in lexicon.ts); "spins clockwise" is a swap through PHRASE_RULES.
  row('wave', { symmetric: ['waving', 'waved'] }),
  row('shake', { symmetric: ['shake', 'shakes', 'shook', 'shaken', 'shaking'] }),
  row('spin', { symmetric: ['spin', 'spins', 'spun', 'spinning'] }),
  row('sway', { symmetric: ['sway', 'sways', 'swayed', 'swaying'] }),
  row('rotate', { symmetric: ['rotate', 'rotates', 'rotated', 'rotating'] }),
  row('revolve', { symmetric: ['revolve', 'revolves', 'revolved', 'revolving'] }),
  row('twirl', { symmetric: ['twirl', 'twirls', 'twirled', 'twirling'] }),
  row('vibrate', { symmetric: ['vibrate', 'vibrates', 'vibrated', 'vibrating'] }),
  row('oscillate', { symmetric: ['oscillate', 'oscillates', 'oscillated', 'oscillating'] }),
  row('wobble', { symmetric: ['wobble', 'wobbles', 'wobbled', 'wobbling'] }),
  row('wiggle', { symmetric: ['wiggle', 'wiggles', 'wiggled', 'wiggling'] }),
  row('jiggle', { symmetric: ['jiggle', 'jiggles', 'jiggled', 'jiggling'] }),
  row('flutter', { symmetric: ['flutter', 'flutters', 'fluttered', 'fluttering'] }),
  row('flicker', { symmetric: ['flicker', 'flickers', 'flickered', 'flickering'] }),
  row('rustle', { symmetric: ['rustle', 'rustles', 'rustled', 'rustling'] }),
  row('blink', { symmetric: ['blink', 'blinks', 'blinked', 'blinking'] }),
  row('nod', { symmetric: ['nod', 'nods', 'nodded', 'nodding'] }),
  row('juggle', { symmetric: ['juggle', 'juggles', 'juggled', 'juggling'] }),
  row('drum', { symmetric: ['drumming', 'drummed'] }),
  row('clap', { symmetric: ['clap', 'claps', 'clapped', 'clapping'] }),
  row('wag', { symmetric: ['wag', 'wags', 'wagged', 'wagging'] }),
  row('flap', { symmetric: ['flap', 'flaps', 'flapped', 'flapping'] }),
  row('bob', { symmetric: ['bobs', 'bobbed', 'bobbing'] }),
  row('rock', { symmetric: ['rocking', 'rocked'] }),
  row('shiver', { symmetric: ['shiver', 'shivers', 'shivered', 'shivering'] }),
  row('tremble', { symmetric: ['tremble', 'trembles', 'trembled', 'trembling'] }),
  row('quiver', { symmetric: ['quiver', 'quivers', 'quivered', 'quivering'] }),
  row('twitch', { symmetric: ['twitch', 'twitches', 'twitched', 'twitching'] }),
  row('shimmer', { symmetric: ['shimmer', 'shimmers', 'shimmering'] }),
  row('sparkle', { symmetric: ['sparkle', 'sparkles', 'sparkling'] }),
  row('twinkle', { symmetric: ['twinkle', 'twinkles', 'twinkling'] }),
  row('back and forth', { symmetric: ['back and forth'] }),
  row('to and fro', { symmetric: ['to and fro'] }),
  row('up and down', { symmetric: ['up and down'] }),
  row('side to side', { symmetric: ['side to side'] }),
  row('round and round', { symmetric: ['round and round'] }),
]);

/** caption_direction's pattern for `direction`: the rows' patterns for it, in table order, as one alternation. */
export function statedPattern(direction: StatedDirection): string {
  return MOTION_WORDS.flatMap((w) => w.states?.[direction] ?? []).join('|');
}

/** Routing's patterns for `check`, in table order. */
export function routedWords(check: RoutedCheck): string[] {
  return MOTION_WORDS.flatMap((w) => w.routes?.[check] ?? []);
}
