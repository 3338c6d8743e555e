/**
 * Words of the way people ask, not of what they ask (docs/adr/0002): time adverbs of the telling
 * ("hier", "toujours", "jamais", "bientôt"), fillers and degree words ("presque", "juste", "enfin"),
 * modal and asking verbs ("pourrait", "voulons", "savez", "fais"), and SMS spellings of function
 * words ("cb" for combien, "pr", "bcp", "tjrs", "qd"). Rare in the corpus, so that BM25 would weigh them
 * heavily on any passage that happens to hold one.
 */
const CONVERSATIONAL = `hier demain aujourdhui maintenant bientot toujours jamais souvent parfois actuellement presque juste assez tellement enfin bref normalement sinon voudrions voudraient voulons voulez voulait pourrais pourrait pourrions pourriez aimerait aimerions souhaiterait souhaitons savez fais faisons faites rien quelquun cb bcp pr ds jpeux jsuis chui tjrs tjs qd pq pk mtn slt dc ke koi tt`;

/** French stop words (folded: lower case, no accents), plus counter small talk ("bonjour", "svp"). */
export const FRENCH_STOP_WORDS = new Set(
  `${CONVERSATIONAL} a au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je la le les leur leurs lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous c d j l m n s t y ete etee etees etes etant suis es est sommes sont serai seras sera serons serez seront serais serait serions seriez seraient etais etait etions etiez etaient fus fut fumes futes furent sois soit soyons soyez soient fusse fusses fut fussions fussiez fussent ayant eu eue eues eus ai as avons avez ont aurai auras aura aurons aurez auront aurais aurait aurions auriez auraient avais avait avions aviez avaient eut eumes eutes eurent aie aies ait ayons ayez aient eusse eusses eussions eussiez eussent ceci cela cet celui celle ceux celles ici la dont ca quoi si tout tous toute toutes tres plus moins peu bien aussi alors donc car comme comment quand quel quelle quels quelles lorsque puis deja encore faut fait faire etre avoir peux peut peuvent pouvez pouvons dois doit doivent devez devons veux veut voudrais voudrait souhaite souhaiterais bonjour merci svp stp madame monsieur mme mr est-ce ya cest jai quest combien quoi dois-je puis-je salut bonsoir voila bon ben bah euh hein truc trucs chose choses genre vraiment svp stp ok oui sais sait savais savoir aimerais voudrais besoin dit dire vais va vas pourquoi beaucoup renseignement renseignements info infos question`
    .split(/\s+/)
    .filter(Boolean),
);
