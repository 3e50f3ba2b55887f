/**
 * Planted documents: short invented texts (a ship's log, clerks' memoranda, a
 * staff note) added to each demo domain, each holding facts that appear
 * nowhere else in the corpus. The evaluation harness (eval/) asks about them
 * to measure whether a shard finds one fact in ~190K tokens. They are new
 * files, so the lines of the original documents (cited in the README) do not move.
 *
 * Invented on purpose: names and numbers are fiction, so a question about them
 * can only be answered from this file. Keep each file small: sotu-early has
 * under 4K tokens of headroom below the domain budget.
 */

import type { DomainName } from './config.js';
import type { DemoDocument } from './documents.js';
import { formatDocument } from './text.js';

interface PlantedText {
  fileName: string;
  title: string;
  /** Paragraphs separated by blank lines; wrapped like every other demo document. */
  body: string;
}

const PLANTED: Readonly<Record<DomainName, readonly PlantedText[]>> = {
  'moby-dick-1': [
    {
      fileName: 'zz-planted-pequod-provisioning-log.txt',
      title: "The Pequod's Provisioning Log, kept by the ship's chandler at Nantucket",
      body: `
This log was kept by Obed Starbuck Macy, ship-chandler of Straight Wharf, while the Pequod was fitted out for her voyage. It records what came aboard and what it cost the owners.

The chandler delivered eleven barrels of salted pork. The cook refused three of them as spoiled, and they were thrown to the harbour gulls the same afternoon.

Captain Peleg paid for the new whaleboat oars with forty-two dollars in silver, counted twice upon the capstan head because he trusted neither the chandler nor himself.

The cabin boy was measured for a pea jacket of blue duffel. It was the only new coat issued to any hand before sailing, and Captain Bildad grumbled at the price of the buttons.

A crate of lemons bought from a Portuguese schooner was stowed beneath the try-works, to ward off the scurvy on the long run to the Cape.

The compass in the binnacle was adjusted by an instrument maker named Hosea Pratt, who charged nine shillings and refused to go below decks because the hold smelled of old oil.

Aunt Charity sent aboard a Bible for every watch, a quantity of ginger, and a jar of quince jelly for the captain's table, which the steward hid in the bread room.
`,
    },
  ],
  'moby-dick-2': [
    {
      fileName: 'zz-planted-whalemans-medical-notes.txt',
      title: "A Whaleman's Medical Notes, from the papers of a ship's surgeon",
      body: `
These notes were kept by Doctor Ezra Colefax, who sailed as surgeon on a Pacific whaling cruise of three years and kept a record of every complaint brought to him.

A harpooneer who swallowed a great deal of sea water during a chase was dosed with molasses and ginger, and was well again by the second dog watch.

Burns on the hands of the men who tended the try-pots were dressed with lamp soot mixed into sperm oil. The men swore by it, though the doctor did not.

The carpenter lost the tip of his left thumb to a bone saw on the fourteenth of March, while shaping a new tiller, and finished the tiller before he came to be bandaged.

Of the thirty-one men aboard, only the steward could not swim a single stroke. He wore a cork belt whenever the boats were lowered and was laughed at for it.

Scurvy showed itself in the eleventh month. The doctor cured it with raw potatoes and onions bought from a Galapagos trader, and wrote that lime juice would have been better.
`,
    },
  ],
  'sotu-early': [
    {
      fileName: 'zz-planted-clerks-memorandum-1802.txt',
      title: 'Memorandum of the Clerk of the House on the Printing of the Annual Message, 1802',
      body: `
The clerk records, for the use of his successors, the arrangements made for receiving and printing the annual message of the President.

The printer Josiah Wetherell delivered one thousand five hundred copies of the message within four days, for a fee of two hundred and twelve dollars.

Candles for the evening sittings of the winter session cost the House eighty-six dollars, a sum the committee of accounts thought excessive.

The messenger who carried the message from the President's house to the Capitol rode a grey mare named Constance, which was lame in one foot by the end of the session.

Quills were bought from a Georgetown stationer at four cents apiece, and the doorkeeper was instructed to count them every Saturday.
`,
    },
  ],
  'sotu-civil-war': [
    {
      fileName: 'zz-planted-quartermasters-memorandum-1864.txt',
      title: "Memorandum of the Quartermaster's Office on Supply and Telegraph Service, 1864",
      body: `
This memorandum summarises, for the Secretary of War, the work of the quartermaster's office in the summer and autumn of 1864.

The military telegraph line to the armies at City Point carried three thousand two hundred messages in the month of August alone.

Mules for the supply trains were bought in Kentucky at one hundred and forty dollars a head, and the best of them were kept for the ambulance corps.

Six hundred bushels of oats were lost when the barge Sarah Ann sank near Aquia Creek in a September gale. Her crew of four was saved by a passing gunboat.

The cipher clerk Elias Thornbury worked for thirty hours without sleep during the battles of May, and was given a week of leave and a new overcoat.
`,
    },
  ],
  'sotu-modern': [
    {
      fileName: 'zz-planted-staff-briefing-note.txt',
      title: 'Staff Briefing Note on the Preparation of the Annual Address',
      body: `
This note, written by the staff secretary's office, describes how the annual address is prepared, for staff who join the speechwriting team.

The first draft of the address usually runs to about nine thousand four hundred words, and is cut by a third before the final reading.

Rehearsals take place in the Family Theater of the White House on the two evenings before delivery, with a stopwatch kept by the deputy chief of staff.

The teleprompter operator keeps a printed copy of the speech in a red binder, in case the screens fail during the address.

Guests seated in the First Lady's box are told to arrive three hours early, and each is given a card with the paragraph in which they will be mentioned.
`,
    },
  ],
};

/** The planted documents of one domain, rendered like every other demo document. */
export function plantedDocuments(domain: DomainName): DemoDocument[] {
  return PLANTED[domain].map((p) => ({ fileName: p.fileName, content: formatDocument(p.title, p.body.trim()) }));
}
