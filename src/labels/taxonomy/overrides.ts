// The reviewed override tables: one entry per class whose verdict the PDDL derivation and the name rules do not settle.
//
// Principles behind the entries, so that new entries stay consistent:
// - hand in contact the whole time: played backwards the hand still drives the object, so the clip is
//   plausible; it is equivariant when the reversed action has another name, invariant when the label
//   names no direction ("Twisting something" backwards is twisting the other way);
// - a push that leaves the object moving on its own (poke, flick) is irreversible: friction stops it,
//   and backwards it starts from rest by itself (the "friction" rule);
// - pulling and pushing swap under reversal: the hand leads the object when pulling and trails it when
//   pushing; backwards the hand stays on the same side of the object while the motion turns round;
// - counterparts are one-to-one (a pair is symmetric); when the reversed action's class is already
//   the counterpart of a closer inverse, the class stays equivariant with counterpart null and says so.

import type { TaxonomyOverride } from './types.js';

const PICKING_UP =
  "reversed it shows picking the object up again, and 'Picking [something] up' is already the counterpart of 'Putting [something] on a surface', its exact inverse";

export const SSV2_OVERRIDES: readonly TaxonomyOverride[] = Object.freeze([
  // Pairs the PDDL misses or gets wrong.
  {
    class: 'Covering [something] with [something]',
    verdict: 'equivariant',
    counterpart: 'Uncovering [something]',
    reason:
      "reversed, the cover is lifted off and the object reappears: uncovering. The PDDL cannot derive it: its cover action does not make the covered object invisible and uncover has one parameter, so neither restores the other's preconditions",
  },
  {
    class: 'Uncovering [something]',
    verdict: 'equivariant',
    counterpart: 'Covering [something] with [something]',
    reason:
      'reversed, the cover comes down over the object and hides it: covering (see the Covering entry for why the PDDL misses this pair)',
  },
  {
    class: 'Burying [something] in [something]',
    verdict: 'equivariant',
    counterpart: 'Digging [something] out of [something]',
    reason:
      'reversed, the object comes up out of the sand or soil and the hand lifts it: digging it out. The PDDL pairs bury with take-out because its bury does not hide the object, which dig requires',
  },
  {
    class: 'Digging [something] out of [something]',
    verdict: 'equivariant',
    counterpart: 'Burying [something] in [something]',
    reason: 'reversed, the object goes down into the substance and disappears: burying',
  },
  {
    class: 'Plugging [something] into [something]',
    verdict: 'equivariant',
    counterpart: 'Pulling [something] out of [something]',
    reason:
      'reversed, the plug comes out of the socket in the hand: unplugging, which SSv2 files as pulling something out. The PDDL ties plug, put-into and stuff equally with take-out; put-into keeps take-out',
  },
  {
    class: 'Pulling [something] out of [something]',
    verdict: 'equivariant',
    counterpart: 'Plugging [something] into [something]',
    reason:
      'reversed, the hand pushes the held object into the opening and lets go: plugging it in (the PDDL pull-out keeps the object in the hand, so nothing restores its preconditions)',
  },
  {
    class: 'Putting [something] in front of [something]',
    verdict: 'equivariant',
    counterpart: 'Removing [something], revealing [something] behind',
    reason:
      'reversed, the object is taken away from in front of the other, which comes into full view: removing, revealing. The PDDL misses it because its put-infront leaves visibility unchanged',
  },
  {
    class: 'Removing [something], revealing [something] behind',
    verdict: 'equivariant',
    counterpart: 'Putting [something] in front of [something]',
    reason:
      'reversed, the object is put back in front of the other and hides it: putting something in front of something',
  },
  {
    class: 'Taking [one of many similar things on the table]',
    verdict: 'equivariant',
    counterpart: 'Putting [something similar to other things that are already on the table]',
    reason:
      'reversed, the object is put back among the similar ones. The PDDL take-one only closes the hand (the object stays "on the surface"), a change every grasp shares, so no pair is derived from it',
  },
  {
    class: 'Putting [something similar to other things that are already on the table]',
    verdict: 'equivariant',
    counterpart: 'Taking [one of many similar things on the table]',
    reason: 'reversed, one of the similar things is lifted off the table: taking one of many similar things',
  },
  {
    class: 'Pulling [something] from left to right',
    verdict: 'equivariant',
    counterpart: 'Pushing [something] from right to left',
    reason:
      'reversed, the object moves right to left with the hand now trailing it: pushing from right to left (the PDDL only sees left/right and ties pull and push)',
  },
  {
    class: 'Pushing [something] from right to left',
    verdict: 'equivariant',
    counterpart: 'Pulling [something] from left to right',
    reason: 'reversed, the object moves left to right with the hand now leading it: pulling from left to right',
  },
  {
    class: 'Pulling [something] from right to left',
    verdict: 'equivariant',
    counterpart: 'Pushing [something] from left to right',
    reason: 'reversed, the object moves left to right with the hand now trailing it: pushing from left to right',
  },
  {
    class: 'Pushing [something] from left to right',
    verdict: 'equivariant',
    counterpart: 'Pulling [something] from right to left',
    reason: 'reversed, the object moves right to left with the hand now leading it: pulling from right to left',
  },
  {
    class: 'Pulling [something] onto [something]',
    verdict: 'equivariant',
    counterpart: 'Pushing [something] off of [something]',
    reason:
      'reversed, the object slides off the other with the hand now trailing it: pushing it off (the PDDL pairs pull-onto with tilting until it falls off, which the falling rule makes irreversible)',
  },
  {
    class: 'Pushing [something] off of [something]',
    verdict: 'equivariant',
    counterpart: 'Pulling [something] onto [something]',
    reason: 'reversed, the object slides onto the other with the hand now leading it: pulling it onto',
  },

  // Equivariant, but the reversed action has no class of its own (or its class is taken by a closer inverse).
  {
    class: 'Attaching [something] to [something]',
    verdict: 'equivariant',
    counterpart: null,
    reason:
      'reversed, the hand takes hold of the attached object and pulls it off: detaching, which SSv2 has no class for',
  },
  {
    class: 'Bending [something] so that it deforms',
    verdict: 'equivariant',
    counterpart: null,
    reason:
      'the hands drive the whole motion, so backwards they plausibly bend it back into shape; SSv2 has no class for straightening',
  },
  {
    class: 'Laying [something] on the table on its side, not upright',
    verdict: 'equivariant',
    counterpart: null,
    reason: PICKING_UP,
  },
  {
    class: 'Putting [something] on a flat surface without letting it roll',
    verdict: 'equivariant',
    counterpart: null,
    reason: PICKING_UP,
  },
  {
    class: "Putting [something] onto a slanted surface but it doesn't glide down",
    verdict: 'equivariant',
    counterpart: null,
    reason: PICKING_UP,
  },
  {
    class: "Putting [something] that can't roll onto a slanted surface, so it stays where it is",
    verdict: 'equivariant',
    counterpart: null,
    reason: PICKING_UP,
  },
  { class: 'Putting [something] upright on the table', verdict: 'equivariant', counterpart: null, reason: PICKING_UP },
  {
    class: 'Putting [something] next to [something]',
    verdict: 'equivariant',
    counterpart: null,
    reason: PICKING_UP.replace('picking the object up again', 'picking the object up from beside the other'),
  },
  {
    class: 'Putting [something] underneath [something]',
    verdict: 'equivariant',
    counterpart: null,
    reason:
      'reversed, the object is drawn out from underneath the other; SSv2 has no class for taking something from underneath',
  },
  {
    class: 'Putting [something] and [something] on the table',
    verdict: 'equivariant',
    counterpart: null,
    reason: 'reversed, both objects are taken off the table; SSv2 has no class for taking two things',
  },
  {
    class: 'Putting [something], [something] and [something] on the table',
    verdict: 'equivariant',
    counterpart: null,
    reason: 'reversed, the three objects are taken off the table; SSv2 has no class for taking three things',
  },
  {
    class: 'Putting [number of] [something] onto [something]',
    verdict: 'equivariant',
    counterpart: null,
    reason:
      'reversed, the things are taken off one by one; SSv2 has no class for taking a number of things off something',
  },
  {
    class: 'Stacking [number of] [something]',
    verdict: 'equivariant',
    counterpart: null,
    reason: 'reversed, the stack is taken apart piece by piece by the hand: unstacking, which SSv2 has no class for',
  },
  {
    class: 'Piling [something] up',
    verdict: 'equivariant',
    counterpart: null,
    reason:
      'reversed, the hand takes the pile apart; SSv2 has no class for unpiling (the PDDL leaves piling undefined)',
  },
  {
    class: 'Stuffing [something] into [something]',
    verdict: 'equivariant',
    counterpart: null,
    reason:
      "reversed, the object is pulled out of the container; 'Pulling [something] out of [something]' is already the counterpart of Plugging and 'Taking [something] out of [something]' of Putting into",
  },
  {
    class: 'Pushing [something] onto [something]',
    verdict: 'equivariant',
    counterpart: null,
    reason:
      'reversed, the object comes off the other with the hand leading it: pulling it off, which SSv2 has no class for',
  },
  {
    class: 'Pushing [something] so that it slightly moves',
    verdict: 'equivariant',
    counterpart: null,
    reason:
      'the hand stays on the object while it moves, so backwards the hand draws it back a little: pulling slightly, which SSv2 has no class for',
  },
  {
    class: "Pushing [something] so that it almost falls off but doesn't",
    verdict: 'equivariant',
    counterpart: null,
    reason:
      'the hand stays on the object, so backwards it draws the object back from the edge; SSv2 has no class for that',
  },
  {
    class: 'Pushing [something] with [something]',
    verdict: 'equivariant',
    counterpart: null,
    reason:
      'backwards the object moves towards the tool as the tool withdraws, as if drawn along by it: pulling something with something, which SSv2 has no class for',
  },
  {
    class: 'Moving [something] and [something] so they collide with each other',
    verdict: 'equivariant',
    counterpart: null,
    reason:
      "backwards the two objects start in contact and are moved apart by hand; 'Moving [something] and [something] away from each other' is already the counterpart of its exact inverse, moving closer",
  },
  {
    class: 'Lifting [something] up completely without letting it drop down',
    verdict: 'equivariant',
    counterpart: null,
    reason:
      "reversed, the hand lowers the object and sets it down; 'Moving [something] down' and 'Putting [something] on a surface' are already the counterparts of their exact inverses",
  },
  {
    class: 'Lifting [something] with [something] on it',
    verdict: 'equivariant',
    counterpart: null,
    reason: 'reversed, the hand lowers the object with the other still on it; SSv2 has no class for lowering',
  },
  {
    class: 'Lifting up one end of [something] without letting it drop down',
    verdict: 'equivariant',
    counterpart: null,
    reason: 'reversed, the hand lowers the raised end back down; SSv2 has no class for lowering one end',
  },
  {
    class: 'Lifting a surface with [something] on it but not enough for it to slide down',
    verdict: 'equivariant',
    counterpart: null,
    reason:
      'reversed, the hand lowers the tilted surface with the object still resting on it; SSv2 has no class for lowering a surface',
  },
  {
    class: 'Pulling two ends of [something] so that it gets stretched',
    verdict: 'equivariant',
    counterpart: null,
    reason:
      'the hands hold both ends throughout, so backwards they let the stretched object contract; SSv2 has no class for that',
  },
  {
    class: 'Turning [something] upside down',
    verdict: 'equivariant',
    counterpart: null,
    reason:
      'reversed, the object is turned from upside down to upright, which SSv2 has no class for; kept apart from invariant because the end state (upside down) is what the label says',
  },

  // Invariant: reversed, the same action with the same label.
  {
    class: 'Moving [part] of [something]',
    verdict: 'invariant',
    counterpart: null,
    reason: 'the label names no direction; backwards a part of the object is still moved by the hand',
  },
  {
    class: 'Moving [something] across a surface without it falling down',
    verdict: 'invariant',
    counterpart: null,
    reason:
      'the hand moves the object throughout and the label names no direction; backwards it is still moved across the surface',
  },
  {
    class: 'Hitting [something] with [something]',
    verdict: 'invariant',
    counterpart: null,
    reason:
      'a hand-held tool strikes and rebounds; the brief contact looks the same backwards: still one thing hitting another',
  },
  {
    class: 'Letting [something] roll up a slanted surface, so it rolls back down',
    verdict: 'invariant',
    counterpart: null,
    reason:
      'rolling up, stopping and rolling back down under gravity is nearly time-symmetric; backwards it is again something rolling up and back down',
  },
  {
    class: 'Rolling [something] on a flat surface',
    verdict: 'invariant',
    counterpart: null,
    reason: 'the hand rolls the object and the label names no direction; backwards it is still rolled on the surface',
  },
  {
    class: 'Spinning [something] so it continues spinning',
    verdict: 'invariant',
    counterpart: null,
    reason: 'a steady spin backwards is a steady spin the other way, and the label names no direction',
  },
  {
    class: 'Twisting [something]',
    verdict: 'invariant',
    counterpart: null,
    reason: 'the hands drive the twist and the label names no direction; backwards it is twisting the other way',
  },
  {
    class: "Tilting [something] with [something] on it slightly so it doesn't fall down",
    verdict: 'invariant',
    counterpart: null,
    reason:
      'the hand tilts the object a little and back, nothing moves on its own; backwards it is the same slight tilt',
  },
  {
    class: 'Plugging [something] into [something] but pulling it right out as you remove your hand',
    verdict: 'invariant',
    counterpart: null,
    reason: 'in and straight out again: backwards it is again plugged in and pulled right out',
  },
  {
    class: 'Throwing [something] in the air and catching it',
    verdict: 'invariant',
    counterpart: null,
    reason:
      'free flight is time-symmetric and the same hand launches and catches, so backwards it is again a toss and a catch (unlike the other throwing classes, nothing lands)',
  },
  {
    class: 'Squeezing [something]',
    verdict: 'invariant',
    counterpart: null,
    reason:
      'debatable; decided invariant: the typical clip squeezes something elastic (sponge, ball, bottle) that springs back as the hand opens, and backwards the hand closes, it compresses and it springs back again. A squeeze that crushes something for good would be irreversible, a minority of this class',
  },

  // Irreversible where no keyword rule reaches.
  {
    class: 'Wiping [something] off of [something]',
    verdict: 'irreversible',
    counterpart: null,
    reason:
      'the wiped material is smeared and gathered by the cloth; backwards the dirt or liquid spreads out of the cloth onto a clean surface',
  },
  {
    class: 'Scooping [something] up with [something]',
    verdict: 'irreversible',
    counterpart: null,
    reason:
      'scooped material (grains, liquid, small pieces) slides and settles into the scoop; backwards it flows out uphill and re-forms the heap',
  },
] satisfies TaxonomyOverride[]);

export const JESTER_OVERRIDES: readonly TaxonomyOverride[] = Object.freeze([
  {
    class: 'Thumb Up',
    verdict: 'invariant',
    counterpart: null,
    reason:
      'a held pose: backwards the hand leaves the thumb-up pose instead of reaching it, and the pose it shows is still thumb up, never thumb down (so the direction-word rule does not apply)',
  },
  {
    class: 'Thumb Down',
    verdict: 'invariant',
    counterpart: null,
    reason:
      'a held pose: backwards the hand leaves the thumb-down pose instead of reaching it, and the pose it shows is still thumb down',
  },
  {
    class: 'Stop Sign',
    verdict: 'invariant',
    counterpart: null,
    reason: 'a held pose (open palm to the camera); backwards the same pose is shown',
  },
  {
    class: 'Shaking Hand',
    verdict: 'invariant',
    counterpart: null,
    reason: 'a periodic back-and-forth motion; backwards it is the same shaking',
  },
  {
    class: 'Drumming Fingers',
    verdict: 'invariant',
    counterpart: null,
    reason: 'periodic finger taps; backwards it is the same drumming',
  },
  {
    class: 'No gesture',
    verdict: 'invariant',
    counterpart: null,
    reason: 'no gesture is made; backwards there is still none',
  },
  {
    class: 'Doing other things',
    verdict: 'invariant',
    counterpart: null,
    reason:
      'the catch-all class: a reversed clip of other activity is still other activity, never one of the named gestures',
  },
] satisfies TaxonomyOverride[]);
