"""The words of the demo: names, reasons, goals, actions, decisions and wishes."""

from registration.models import AbsenceKind

from ..models import MeetingKind


def _names(text: str) -> list[str]:
    return [" ".join(name.split()) for name in text.split(",") if name.strip()]


GIVEN_NAMES = _names("""
    Daan, Sem, Lucas, Noah, Levi, Finn, Milan, Luuk, Bram, Jesse, Sven, Thijs, Ruben, Mohammed,
    Yusuf, Adam, Liam, Julian, Mees, Teun, Gijs, Stijn, Jayden, Ryan, Ibrahim, Omar, Kevin,
    Niels, Tim, Hugo, Emma, Julia, Mila, Tess, Sophie, Zoë, Sara, Nora, Eva, Anna, Fleur, Lotte,
    Noor, Yara, Fenna, Saar, Lieke, Amira, Fatima, Ilse, Jasmijn, Roos, Isa, Femke, Esmee, Nina,
    Lina, Aya, Maud, Elif
""")
SECOND_NAMES = _names("Maria, Johannes, Anne, Pieter, Elisabeth, Willem, Sophia, Jan")
# (tussenvoegsel, achternaam): the prefix is everything before the last word.
SURNAMES = [
    (name.rpartition(" ")[0], name.rpartition(" ")[2])
    for name in _names("""
    de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Janssen, Visser, Smit, Meijer,
    de Boer, Mulder, de Groot, Bos, Vos, Peters, Hendriks, van Leeuwen, Dekker, Brouwer,
    de Wit, Dijkstra, Smits, de Graaf, van der Meer, van der Linden, Kok, Jacobs, de Haan,
    Vermeulen, van den Heuvel, van der Veen, van den Bosch, van Beek, Schouten, van Vliet,
    ter Horst, van 't Hof, in 't Veld, Yilmaz, el Idrissi, Kaya, Öztürk, Nguyen, Pinas, Wong,
    Kramer, Postma, van Wijk, Koster
    """)
]

REASONS: dict[str, list[str]] = {
    AbsenceKind.UNAUTHORISED: [
        "Komt regelmatig niet op school zonder bericht van thuis.",
        "Spijbelt de eerste uren; ouders zijn op de hoogte gebracht.",
        "Blijft thuis na een conflict met klasgenoten.",
    ],
    AbsenceKind.SICKNESS: [
        "Regelmatig ziek gemeld, steeds een of twee dagen.",
        "Langdurig ziek, de klachten zijn onduidelijk.",
        "Vaak ziek naar huis tijdens de les.",
    ],
    AbsenceKind.MEDICAL_PSYCHOLOGICAL: [
        "Psychische klachten; behandeling loopt via de huisarts.",
        "Medische behandeling, gedeeltelijk aanwezig.",
    ],
    AbsenceKind.AUTHORISED_OTHER: ["Verlof in verband met familieomstandigheden."],
    AbsenceKind.PARTIAL: ["Volgt een aangepast rooster van enkele ochtenden per week."],
    AbsenceKind.SUSPENSION: ["Geschorst in afwachting van een besluit over verwijdering."],
    AbsenceKind.NOT_ENROLLED: ["Na een verhuizing op geen enkele school ingeschreven."],
    AbsenceKind.EXEMPTION: ["Vrijstelling aangevraagd op grond van artikel 5 onder a."],
    AbsenceKind.AT_RISK: [
        "Zorgen over de thuissituatie; nog geen verzuimgrens bereikt.",
        "Trekt zich terug en komt steeds later binnen.",
    ],
}

CONVERSATIONS = [
    "Gesprek met ouders en leerling over de afwezigheid.",
    "Huisbezoek: de leerling wil wel, maar durft niet.",
    "Ouders gebeld; zij maken zich zorgen over de thuissituatie.",
]
CARE_NAMES = ["Jeugdarts JGZ Lingemond", "Wijkteam Lingestad", "Behandelaar jeugd-GGZ"]
GOALS = [
    ("Binnen zes weken drie ochtenden per week op school.", "Aanwezigheid volgens de school."),
    ("Een passende plek met begeleiding voor de leerling.", "Plaatsing en startdatum bekend."),
    ("De leerling volgt weer minstens de helft van de onderwijstijd.", "Rooster en aanwezigheid."),
    ("Ouders en school maken samen afspraken over het contact.", "Vaste gesprekken gepland."),
]
ACTIONS = [
    "Gesprek met ouders en leerling plannen",
    "Aanmelding bij het jeugdteam doen",
    "Onderzoek naar de ondersteuningsbehoefte aanvragen",
    "Aangepast rooster opstellen met de mentor",
    "Contact opnemen met de jeugdarts",
    "Mogelijkheden in het speciaal onderwijs verkennen",
    "Terugkoppeling aan ouders over de aanmelding",
    "Toelaatbaarheidsverklaring aanvragen",
]
DECISIONS = {
    MeetingKind.ZAT: [
        "De school start een aangepast rooster.",
        "Schoolmaatschappelijk werk gaat op huisbezoek.",
    ],
    MeetingKind.MDO: [
        "Aanmelding bij de jeugd-GGZ.",
        "Het samenwerkingsverband onderzoekt een arrangement.",
    ],
    MeetingKind.THUISZITTERSTAFEL: [
        "Casusregie blijft bij de casusregisseur.",
        "Binnen vier weken een voorstel voor een plek.",
    ],
    MeetingKind.DOORBRAAKTEAM: [
        "Frictiebudget inzetten voor een onderwijszorgarrangement.",
        "Voorrang op de wachtlijst van de jeugdhulp.",
    ],
    MeetingKind.ARBITRATION_HEARING: ["Bindend besluit: plaatsing op de voorgestelde school."],
}
MEETING_NOTES = "Besproken: de situatie thuis en op school, en wat nodig is."
WISHES = [
    (
        "Dat ons kind weer met plezier naar school gaat.",
        "Een kleinere klas en een vaste begeleider.",
    ),
    ("Rust thuis en duidelijkheid over een plek.", "Niet meer terug naar de oude klas."),
    ("Dat er eindelijk iets gebeurt.", "Iets met mijn handen doen."),
]
OTHER_CLOSURE_NOTES = [
    "Vrijstelling 5 onder a verleend.",
    "Gezin is naar het buitenland vertrokken.",
    "Leerling volgt thuisonderwijs via een erkende instelling.",
]
ARRANGEMENT_NOTE = "Afgestemd met ouders en de nieuwe school."
CHECK_IN_NOTE = "Contact met school en ouders."
WITHDRAWN_NOTE = "Toestemming later ingetrokken."
