// The motion-word table (labels/motion-words.ts) and its three readers: the caption lexicon, caption_direction and
// rule routing. Pins what each reader makes of the table's words, the places where they differ on purpose included.

import { describe, expect, it } from 'vitest';
import { analyseCaption } from '../../src/labels/captions.js';
import { IRREVERSIBLE, PHRASE_RULES, SYMMETRIC, VERB_RULES } from '../../src/labels/lexicon.js';
import {
  MOTION_WORDS,
  ROUTED_CHECKS,
  routedWords,
  STATED_DIRECTIONS,
  statedPattern,
} from '../../src/labels/motion-words.js';
import { DIRECTION_PHRASES, statedDirections } from '../../src/physics/checks/caption-direction.js';
import { ROUTES, routeRule } from '../../src/physics/route.js';

/**
 * "The thing <phrase>.": the directions caption_direction reads (with the phrase), the checks routing sends the rule
 * to by its words (with the word that decided), and the caption lexicon's status.
 */
const READINGS: readonly (readonly [phrase: string, directions: string, routes: string, caption: string])[] = [
  ['moves from left to right', 'right(left to right)', '', 'swap'],
  ['slides to the right', 'right(to the right)', 'momentum(slides)', 'swap'],
  ['drifts rightwards', 'right(rightwards)', '', 'swap'],
  ['moves right to left', 'left(right to left)', '', 'swap'],
  ['rolls to the left', 'left(to the left)', 'momentum(rolls)', 'swap'],
  ['turns leftward', 'left(leftward)', '', 'unknown'],
  ['walks towards the camera', 'toward_camera(towards the camera)', '', 'irreversible'],
  ['approaches the viewer', 'toward_camera(approaches the viewer)', '', 'swap'],
  ['looks at the camera', 'toward_camera(at the camera)', '', 'unknown'],
  ['moves away from the camera', 'away_from_camera(away from the camera)', '', 'swap'],
  ['sails into the distance', 'away_from_camera(into the distance)', '', 'unknown'],
  ['recedes', 'away_from_camera(recedes)', '', 'swap'],
  ['the lines converge', 'inward(converge)', '', 'unknown'],
  ['swim towards each other', 'inward(towards each other)', '', 'irreversible'],
  ['the hands come together', 'inward(come together)', '', 'unknown'],
  ['brought together', 'inward(brought together)', '', 'unknown'],
  ['runs away from the dog', 'outward(away from)', '', 'irreversible'],
  ['scattered', 'outward(scattered)', '', 'irreversible'],
  ['spreads out', 'outward(spreads out)', 'time_direction(spread)', 'irreversible'],
  ['disperses', 'outward(disperses)', '', 'unknown'],
  ['blown away', 'outward(blown away)', '', 'irreversible'],
  ['blows off', 'outward(blows off)', '', 'unknown'],
  ['fans out', 'outward(fans out)', '', 'unknown'],
  ['bursts apart', 'outward(bursts apart)', '', 'irreversible'],
  ['explodes', 'outward(explodes)', 'time_direction(explod)', 'irreversible'],
  ['radiates out', 'outward(radiates out)', '', 'unknown'],
  ['tumbles down', 'down(tumbles down)', 'gravity(tumbl)', 'irreversible'],
  ['rolls downhill', 'down(rolls downhill)', 'gravity(rolls down) momentum(rolls)', 'unknown'],
  ['slides down', 'down(slides down)', 'gravity(slides down) momentum(slides)', 'irreversible'],
  ['flows down', 'down(flows down)', '', 'unknown'],
  ['comes down', 'down(comes down)', '', 'swap'],
  ['goes down', 'down(goes down)', '', 'swap'],
  ['moves downwards', 'down(moves downwards)', 'gravity(downward)', 'unknown'],
  ['trickles down', 'down(trickles down)', '', 'unknown'],
  ['drifts down', 'down(drifts down)', '', 'unknown'],
  ['floats down', 'down(floats down)', 'gravity(float)', 'unknown'],
  ['glides down', 'down(glides down)', 'momentum(glid)', 'unknown'],
  ['falls', 'down(falls)', 'gravity(fall)', 'irreversible'],
  ['falling', 'down(falling)', 'gravity(fall)', 'irreversible'],
  ['fell', 'down(fell)', 'gravity(fell)', 'irreversible'],
  ['fallen', '', 'gravity(fall)', 'irreversible'],
  ['drops', 'down(drops)', 'gravity(drop)', 'irreversible'],
  ['a drop of water', '', 'gravity(drop)', 'unknown'],
  ['dropping', 'down(dropping)', 'gravity(drop)', 'irreversible'],
  ['dropped', 'down(dropped)', 'gravity(drop)', 'irreversible'],
  ['descends', 'down(descends)', 'gravity(descend)', 'swap'],
  ['sinks', 'down(sinks)', '', 'swap'],
  ['sinking', 'down(sinking)', '', 'swap'],
  ['sank', 'down(sank)', '', 'swap'],
  ['plummets', 'down(plummets)', '', 'unknown'],
  ['drips', 'down(drips)', 'time_direction(drip)', 'irreversible'],
  ['dripping', 'down(dripping)', 'time_direction(drip)', 'irreversible'],
  ['pours', 'down(pours)', 'time_direction(pour)', 'irreversible'],
  ['cascades', 'down(cascades)', '', 'unknown'],
  ['downwards', 'down(downwards)', 'gravity(downward)', 'unknown'],
  ['downhill', 'down(downhill)', '', 'unknown'],
  ['lands', 'down(lands)', 'gravity(lands)', 'irreversible'],
  ['landing', 'down(landing)', 'gravity(landing)', 'irreversible'],
  ['landed', '', 'gravity(landed)', 'irreversible'],
  ['settles down', 'down(settles down)', '', 'unknown'],
  ['settling to the floor', 'down(settling to the)', '', 'unknown'],
  ['goes up', 'up(goes up)', '', 'swap'],
  ['moves upward', 'up(moves upward)', '', 'unknown'],
  ['floats up', 'up(floats up)', 'gravity(float)', 'unknown'],
  ['jumps up', 'up(jumps up)', 'gravity(jump)', 'unknown'],
  ['flies up', 'up(flies up)', '', 'unknown'],
  ['shoots up', 'up(shoots up)', '', 'irreversible'],
  ['bounces up', 'up(bounces up)', 'gravity(bounc) momentum(bounc)', 'unknown'],
  ['climbs up', 'up(climbs up)', '', 'unknown'],
  ['climbs', 'up(climbs)', '', 'unknown'],
  ['climbing', 'up(climbing)', '', 'unknown'],
  ['springs up', 'up(springs up)', '', 'unknown'],
  ['leaps up', 'up(leaps up)', 'gravity(leap)', 'unknown'],
  ['rockets up', 'up(rockets up)', '', 'unknown'],
  ['drifts upwards', 'up(drifts upwards)', '', 'unknown'],
  ['rises', 'up(rises)', 'gravity(rise)', 'swap'],
  ['rising', 'up(rising)', 'gravity(rising)', 'swap'],
  ['rose', 'up(rose)', '', 'unknown'],
  ['ascends', 'up(ascends)', '', 'swap'],
  ['lifts', 'up(lifts)', 'gravity(lift)', 'swap'],
  ['lifted', 'up(lifted)', 'gravity(lift)', 'swap'],
  ['raises', 'up(raises)', '', 'swap'],
  ['upwards', 'up(upwards)', '', 'unknown'],
  ['uphill', 'up(uphill)', '', 'unknown'],
  ['takes off', 'up(takes off)', '', 'unknown'],
  ['taking off', 'up(taking off)', '', 'unknown'],
  ['soars', 'up(soars)', '', 'unknown'],
  ['does not fall', '', 'gravity(fall)', 'unknown'],
  ['spills', '', 'time_direction(spill)', 'irreversible'],
  ['splash', '', 'time_direction(splash)', 'irreversible'],
  ['melts', '', 'time_direction(melt)', 'irreversible'],
  ['burns', '', 'time_direction(burn)', 'irreversible'],
  ['shatters', '', 'time_direction(shatter)', 'irreversible'],
  ['breaks', '', 'time_direction(breaks)', 'irreversible'],
  ['broke', '', 'time_direction(broke)', 'irreversible'],
  ['broken', '', 'time_direction(broke)', 'irreversible'],
  ['cracks', '', 'time_direction(crack)', 'irreversible'],
  ['tears apart', '', 'time_direction(tears apart)', 'irreversible'],
  ['tears', '', '', 'irreversible'],
  ['torn', '', 'time_direction(torn)', 'irreversible'],
  ['dissolves', '', 'time_direction(dissolv)', 'irreversible'],
  ['spreads', '', 'time_direction(spread)', 'irreversible'],
  ['fills', '', 'time_direction(fills)', 'swap'],
  ['drains', '', 'time_direction(drain)', 'irreversible'],
  ['evaporates', '', 'time_direction(evaporat)', 'irreversible'],
  ['freezes', '', 'time_direction(freez)', 'unknown'],
  ['ignites', '', 'time_direction(ignit)', 'unknown'],
  ['crumbles', '', 'time_direction(crumbl)', 'irreversible'],
  ['crushes', '', 'time_direction(crush)', 'irreversible'],
  ['smashes', '', 'time_direction(smash)', 'irreversible'],
  ['stirs', '', 'time_direction(stir)', 'unknown'],
  ['mixes', '', 'time_direction(mix)', 'irreversible'],
  ['foams', '', 'time_direction(foam)', 'unknown'],
  ['gravity', '', 'gravity(gravity)', 'unknown'],
  ['descend', 'down(descend)', 'gravity(descend)', 'swap'],
  ['tosses', '', 'gravity(toss)', 'irreversible'],
  ['thrown', '', 'gravity(thrown) momentum(thrown)', 'irreversible'],
  ['throws', '', 'gravity(throw) momentum(throw)', 'irreversible'],
  ['trajectory', '', 'gravity(trajector) momentum(trajector)', 'unknown'],
  ['arcs', '', 'gravity(arcs)', 'unknown'],
  ['arcade', '', '', 'unknown'],
  ['bounces', '', 'gravity(bounc) momentum(bounc)', 'unknown'],
  ['hangs', '', 'gravity(hang)', 'unknown'],
  ['weight', '', 'gravity(weight)', 'unknown'],
  ['pulled down', '', 'gravity(pulled down)', 'unknown'],
  ['hovers', '', 'gravity(hover)', 'unknown'],
  ['levitates', '', 'gravity(levitat)', 'unknown'],
  ['jumps', '', 'gravity(jump)', 'unknown'],
  ['leaps', '', 'gravity(leap)', 'unknown'],
  ['momentum', '', 'momentum(momentum)', 'unknown'],
  ['inertia', '', 'momentum(inertia)', 'unknown'],
  ['collides', '', 'momentum(collid)', 'unknown'],
  ['collision', '', 'momentum(collision)', 'unknown'],
  ['rebounds', '', 'momentum(rebound)', 'unknown'],
  ['impact', '', 'momentum(impact)', 'unknown'],
  ['hits', '', 'momentum(hits)', 'irreversible'],
  ['hitch', '', '', 'unknown'],
  ['strikes', '', 'momentum(strik)', 'irreversible'],
  ['kicks', '', 'momentum(kick)', 'irreversible'],
  ['pushes', '', 'momentum(push)', 'swap'],
  ['slides', '', 'momentum(slides)', 'unknown'],
  ['glides', '', 'momentum(glid)', 'unknown'],
  ['rolls', '', 'momentum(rolls)', 'unknown'],
  ['speed', '', 'momentum(speed)', 'unknown'],
  ['velocity', '', 'momentum(velocit)', 'unknown'],
  ['recoil', '', 'momentum(recoil)', 'unknown'],
  ['swings', '', 'momentum(swing)', 'keep'],
  ['comes to a stop', '', 'momentum(comes to a stop)', 'irreversible'],
  ['stops', '', 'momentum(stops)', 'unknown'],
  ['continues rolling', '', 'momentum(rolling)', 'unknown'],
  ['decelerates', '', 'momentum(decelerat)', 'unknown'],
  ['accelerates', '', 'momentum(accelerat)', 'unknown'],
  ['propels', '', 'momentum(propel)', 'unknown'],
  ['knocks over', '', 'momentum(knock)', 'irreversible'],
  ['disappears', '', 'persistence(disappear)', 'swap'],
  ['vanishes', '', 'persistence(vanish)', 'swap'],
  ['appears', '', 'persistence(appear)', 'swap'],
  ['remains', '', 'persistence(remain)', 'unknown'],
  ['intact', '', 'persistence(intact)', 'unknown'],
  ['permanently', '', 'persistence(permanen)', 'unknown'],
  ['continuous', '', 'persistence(continuous)', 'unknown'],
  ['same number', '', 'persistence(same number)', 'unknown'],
  ['same shape', '', 'persistence(same shape)', 'unknown'],
  ['does not change', '', 'persistence(does not change)', 'unknown'],
  ['unchanged', '', 'persistence(unchanged)', 'unknown'],
  ['conserved', '', 'persistence(conserv)', 'unknown'],
  ['emerges', '', 'persistence(emerge)', 'unknown'],
  ['materializes', '', 'persistence(materializ)', 'unknown'],
  ['teleports', '', 'persistence(teleport)', 'unknown'],
  ['bounces and then falls', 'down(falls)', 'gravity(fall) momentum(bounc)', 'irreversible'],
  ['falls and bounces', 'down(falls)', 'gravity(fall) momentum(bounc)', 'irreversible'],
  ['is thrown and bounces', '', 'gravity(thrown) momentum(bounc)', 'irreversible'],
  ['slides and rolls', '', 'momentum(slides)', 'unknown'],
  ['rolls and slides', '', 'momentum(slides)', 'unknown'],
  ['splashes and pours', 'down(pours)', 'time_direction(pour)', 'irreversible'],
];

function readings(phrase: string): [string, string, string] {
  const text = `The thing ${phrase}.`;
  const directions = statedDirections(text)
    .map((d) => `${d.direction}(${d.phrase})`)
    .join(' ');
  const routes = routeRule(text)
    .filter((h) => h.check !== 'caption_direction')
    .map((h) => `${h.check}(${/^word "(.*)"$/.exec(h.because)![1]})`)
    .join(' ');
  return [directions, routes, analyseCaption(text).status];
}

describe('motion words: what each reader makes of them', () => {
  it.each(READINGS)('%s', (phrase, directions, routes, caption) => {
    expect(readings(phrase)).toEqual([directions, routes, caption]);
  });

  it('routes a rule with several words of one check by the first in table order, not in text order', () => {
    expect(readings('bounces and then falls')[1]).toBe('gravity(fall) momentum(bounc)');
    expect(readings('falls and bounces')[1]).toBe('gravity(fall) momentum(bounc)');
  });

  it('states a direction once per text, the first phrase for it, and reads no direction said under a negation', () => {
    expect(statedDirections('It falls, then drops and falls again')).toEqual([{ direction: 'down', phrase: 'falls' }]);
    expect(statedDirections('The cup does not fall but the spoon rises')).toEqual([
      { direction: 'up', phrase: 'rises' },
    ]);
  });
});

describe('motion words: one table', () => {
  it('is where physics reads its direction phrases and routing words', () => {
    expect(DIRECTION_PHRASES.map((d) => d.direction)).toEqual(STATED_DIRECTIONS);
    for (const d of DIRECTION_PHRASES) expect(d.pattern).toBe(statedPattern(d.direction));
    expect(ROUTES.map((r) => r.check)).toEqual(ROUTED_CHECKS);
    for (const r of ROUTES) expect(r.words).toEqual(routedWords(r.check as (typeof ROUTED_CHECKS)[number]));
  });

  it('is where the caption lexicon reads its irreversible and direction-free words', () => {
    expect(IRREVERSIBLE).toEqual(MOTION_WORDS.flatMap((w) => (w.irreversible ? [w.irreversible] : [])));
    expect(SYMMETRIC).toEqual(MOTION_WORDS.flatMap((w) => (w.symmetric ? [w.symmetric] : [])));
    const forms = [...IRREVERSIBLE.flatMap((e) => e.forms), ...SYMMETRIC.flat()];
    expect(new Set(forms).size).toBe(forms.length);
  });

  it("names the counterpart the lexicon's rewrite rules give each word, and none where they give none", () => {
    const firstRows = MOTION_WORDS.filter((w, i) => MOTION_WORDS.findIndex((x) => x.word === w.word) === i);
    for (const w of firstRows) {
      const rule =
        VERB_RULES.find((r) => r.from.base === w.word)?.to.base ?? PHRASE_RULES.find((r) => r.from === w.word)?.to;
      expect([w.word, w.partner]).toEqual([w.word, rule]);
    }
  });

  it("gives each row a reader, and a word a second row only for routes later in a check's order", () => {
    const seen = new Set<string>();
    for (const w of MOTION_WORDS) {
      expect(w.irreversible ?? w.symmetric ?? w.partner ?? w.states ?? w.routes, w.word).toBeDefined();
      if (seen.has(w.word)) expect(Object.keys(w), w.word).toEqual(['word', 'routes']);
      seen.add(w.word);
    }
  });
});
