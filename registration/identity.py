"""Who is this pupil? One tolerant way to compare the identity a reporter gives with a record.

A report about a pupil who is already known matches only on the BSN together with the
surname and the date of birth (DESIGN.md 4.3): a BSN alone is no proof that the reporter
knows the child. Names are compared without case, diacritics, punctuation or
tussenvoegsels ("van der Berg", "Berg, van der" and "VAN DER BERG" are the same), so a
school's spelling does not make a real match fail. The reconciliation of lists uses the
same functions.
"""

import datetime
import re
import unicodedata

# Tussenvoegsels, after folding (``'t`` -> ``t``, ``d'`` -> ``d``): left out of a surname key.
PREFIXES = frozenset(
    {
        "aan",
        "al",
        "bij",
        "d",
        "da",
        "de",
        "del",
        "della",
        "den",
        "der",
        "des",
        "di",
        "do",
        "dos",
        "du",
        "el",
        "het",
        "in",
        "l",
        "la",
        "le",
        "op",
        "s",
        "t",
        "te",
        "ten",
        "ter",
        "uit",
        "van",
        "vd",
        "von",
        "vom",
        "zu",
    }
)


def fold(text: str) -> str:
    """Lower case without diacritics ("Ö" -> "o", "ĳ" -> "ij")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def surname_key(text: str) -> str:
    """A surname for comparison: folded, letters only, tussenvoegsels left out; hyphens
    and spaces split words, so "Jansen - de Vries" and "Jansen-de Vries" agree."""
    words = [re.sub(r"[^a-z]", "", w) for w in re.split(r"[\s\-,]+", fold(text))]
    words = [w for w in words if w]
    kept = [w for w in words if w not in PREFIXES]
    return "".join(kept or words)


def bsn_normalise(value: str | None) -> str:
    """Digits only (spaces, dots and hyphens dropped); a leading zero restored when a
    spreadsheet dropped it (8 digits)."""
    bsn = re.sub(r"[\s.\-]", "", value or "")
    if bsn.isdigit() and len(bsn) == 8:
        bsn = "0" + bsn
    return bsn


def identity_matches(
    pupil, *, surname: str, date_of_birth: datetime.date | None, surname_prefix: str = ""
) -> bool:
    """Whether the surname and date of birth given for a BSN are this pupil's."""
    if date_of_birth is None or date_of_birth != pupil.date_of_birth:
        return False
    given = surname_key(f"{surname_prefix} {surname}")
    ours = {surname_key(pupil.surname), surname_key(f"{pupil.surname_prefix} {pupil.surname}")}
    return bool(given) and given in ours
