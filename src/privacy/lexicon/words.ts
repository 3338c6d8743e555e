/**
 * Word lists for person detection, folded (lower case, no accents). Written by hand; they describe
 * French administrative prose, not any evaluation set.
 */
const set = (s: string) => new Set(s.split(/\s+/).filter(Boolean));

/** Civil titles; the PERSON span starts after them. */
export const TITLES = set(
  'm m. mr mr. mme mme. madame monsieur mlle mlle. mademoiselle mmes mrs dr dr. docteur',
);

/** Lower-case particles allowed inside a name ("Julien de Vaucelles", "Joachim du Bellay"). */
export const PARTICLES = set(
  "de du des d' le la van von der den ben bin ibn el al da dos das di del della ter ten mc ni nic ould bint ap o",
);

/** Capitalised words that are not names (sentence openers, labels, bodies, acronyms, months). */
export const NOT_NAMES = set(`
bonjour bonsoir madame monsieur mesdames messieurs cordialement merci objet question dossier fiche contact
agent usager usagere nom prenom compte rendu note suivi suite pour par sur sous dans avec sans chez vers
il elle ils elles on nous vous je tu son sa ses leur leurs le la les un une des du de ce cet cette ces mon ma mes
est-ce est que qui quoi quand comment pourquoi ou si mais et donc or ni car attention important urgent ref
reference tel telephone mail courriel adresse date naissance lieu france services service travail emploi pole
caisse mairie prefecture sous-prefecture departement region conseil centre maison espace point accueil direction
agence tresor public finances impots sante assurance maladie retraite securite sociale allocations familiales
familles republique francaise etat ministere tribunal justice police gendarmerie banque postale poste credit
agricole societe generale epargne orange free sfr bouygues edf engie veolia vitale carte cerfa formulaire
article loi code decret arrete janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre
lundi mardi mercredi jeudi vendredi samedi dimanche noel paques toussaint rentree atelier permanence rendez-vous
rdv secteur bordereau piece identite passeport titre sejour enfant charge conjoint conjointe beneficiaire
allocataire demandeur demande reponse reponds redige resume voici bien bonne journee salutations equipe
conseiller conseillere charge chargee assistante assistant social directeur directrice president presidente
maire prefet juge docteur maitre professeur nb ps ok oui non aide aides prime activite logement revenu
solidarite allocation adulte handicape pension invalidite chomage caf cpam msa carsat urssaf mdph ccas cias
ants dgfip sip apl als alf rsa aah aspa pch apa cmu css ame pmi nir iban bic rib siret siren tva cni ddn ehpad
chu ch sms pdf fr ue tel id no note suivi urgent objet cv rgpd cnil oph hlm sncf ratp gdf ars ddets dreets
mission locale secours catholique populaire habitat office saint sainte cedex internet web site en au aux
dette base rappeler orientee oriente pas alloc tel. mail. rib. enfants madame. monsieur. pieces signature
l'equipe numero n° recu recue reçu message rappel relance dossiers fiscal fiscale impot sécu secu avis
sarl sas sasu eurl sci snc scop btp sa cie ets
`);

/** Nouns naming a place or an institution: a name right after them is that place's name. */
export const INSTITUTIONS = set(`
lycee college ecole maternelle elementaire primaire groupe scolaire mediatheque bibliotheque ludotheque
gymnase stade piscine salle centre hopital hospitalier clinique ehpad residence foyer maison espace complexe
halle theatre musee cinema universite faculte institut iut crèche creche garderie parc jardin square pont cite
quartier rue avenue av av. bd bd. boulevard place allee chemin impasse route quai cours promenade esplanade
rond-point passage sentier lotissement parvis campus pole conservatoire chr cmp cms mjc station gare aeroport
fondation association prix promotion amphitheatre amphi auditorium dojo boulodrome hall tour immeuble batiment
autonomie social sociale culturel culturelle sportif sportive municipal municipale professionnel
polyvalent polyvalente ecoles lycees colleges hopitaux rues avenues chu chs cmpp ime esat itep sessad
magasin enseigne saint sainte pmi chrs cada huda cph ccas cias mjc esat relais halte-garderie multi-accueil
pension dispensaire aquatique
`);

/** Famous people who name streets and buildings; never taken without a title or a form label. */
export const FAMOUS = set(`
victor-hugo jean-jaures jules-ferry marie-curie pierre-curie louis-pasteur simone-veil charles-de-gaulle
jean-moulin leon-blum georges-brassens jacques-prevert emile-zola jean-de-la-fontaine albert-camus
antoine-de-saint-exupery francois-mitterrand pierre-mendes-france louise-michel camille-claudel
marcel-pagnol joachim-du-bellay pierre-de-coubertin aime-cesaire paul-eluard jean-mace paul-bert
anatole-france jean-zay olympe-de-gouges rosa-parks nelson-mandela martin-luther-king george-sand
marguerite-duras paul-langevin jean-vilar frederic-chopin jacques-brel edith-piaf jean-monnet
robert-schuman victor-schoelcher toussaint-louverture paul-verlaine arthur-rimbaud gustave-eiffel
henri-laborit jean-rostand irene-joliot-curie frederic-joliot-curie lucie-aubrac germaine-tillion
gisele-halimi josephine-baker alexandre-dumas honore-de-balzac guy-de-maupassant jean-giono
romain-rolland andre-malraux rene-cassin jean-bart pablo-picasso claude-monet auguste-renoir
`);

/** Form labels after which a name follows ("Usager : ", "Nom : ", "Agent : "). Folded, without colon. */
export const LABELS = set(`
usager usagere nom prenom prenoms agent conjoint conjointe epoux epouse enfant beneficiaire demandeur
demandeuse titulaire allocataire referent referente conseiller conseillere contact interlocuteur
interlocutrice signataire mere pere tuteur tutrice curateur curatrice patient patiente assure assuree
locataire redacteur redactrice destinataire expediteur expeditrice mandataire representant representante
`);

/** Multi-word labels, matched on the folded text just before the name. */
export const LABEL_PHRASES = [
  'enfant a charge',
  'nom de naissance',
  "nom d'usage",
  'nom marital',
  'nom de famille',
  'fiche contact',
  'representant legal',
  'personne a contacter',
  'dossier suivi par',
  'suivi par',
];

/** Phrases right before a name ("son fils", "il s'agit de", "nous accompagnons"). Folded. */
export const CUES_BEFORE = [
  'son fils',
  'sa fille',
  'son conjoint,',
  'sa conjointe,',
  'son conjoint',
  'sa conjointe',
  'son epoux',
  'son epouse',
  'son mari',
  'sa femme',
  'son compagnon',
  'sa compagne',
  'son enfant',
  'sa mere',
  'son pere',
  'sa soeur',
  'son frere',
  'sa petite-fille',
  'son petit-fils',
  'accompagnons',
  'accompagne',
  "il s'agit de",
  'est-ce que',
  'situation de',
  'concernant',
  'au nom de',
  'de la part de',
  'pour le compte de',
];

/** Phrases right after a name ("X, né le", "X peut bénéficier"). Tested on the folded text. */
export const CUES_AFTER =
  /^(?:,?\s\(?nee?s?\b|,\s(?:allocataire|est\s|demeurant|domicilie)|\s(?:peut\s|souhaite|n'a\s|a\s(?:ete|depose|demande)|est\s(?:allocataire|ne|nee|actuellement)|dans\sses\sdemarches))/;

/** Closing formulas: a line made of a name right after one of them is a signature. */
export const CLOSINGS =
  /^(?:bien\s)?(?:cordialement|bonne\sjournee|bonne\ssoiree|salutations|bien\sa\svous|respectueusement|sinceres\ssalutations|merci.*|a\sbientot)[\s,.!]*$/;
