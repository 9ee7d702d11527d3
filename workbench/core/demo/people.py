"""A fictional retailer's customers and staff. Some names carry accents, as real ones do;
e-mail addresses are plain ASCII."""

from __future__ import annotations

import unicodedata

import numpy as np
import pyarrow as pa

from workbench.core.demo.text import join, pick

FIRST = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Mia", "Lucas",
    "José", "Zoë", "Chloé", "Renée", "André", "Søren", "Björn", "Inés", "Noémie", "François",
    "Amelia", "Mateo", "Harper", "Ethan", "Aaliyah", "Kenji", "Priya", "Fatima", "Chen", "Oluwaseun",
    "Grace", "Henry", "Nora", "Leo", "Isla", "Hugo", "Élodie", "Łukasz", "Małgorzata", "Dmitri",
]
LAST = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Núñez", "Müller", "Ødegaard", "Lefèvre", "Çelik", "Gómez", "Schröder", "Åberg",
    "O'Brien", "Nguyen", "Kim", "Patel", "Okafor", "Kowalski", "Rossi", "Dubois", "Sato", "Cohen",
    "Anderson", "Thomas", "Moore", "Jackson", "White", "Harris", "Clark", "Lewis", "Young", "Walker",
    "Hernández", "Peña",
]

# staff who issue credits by hand in NetSuite (Created By); jdoe is the planted process fault
AGENTS = ["jdoe", "asmith", "mgarcia", "lchen", "pkowalski", "rnunez"]
INTEGRATION_USER = "Loop Integration"


def _ascii(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.replace("ø", "o").replace("Ø", "O").replace("ł", "l")
                                 .replace("Ł", "L"))
    return "".join(c for c in text if c.isascii() and (c.isalnum())).lower()


_FIRST_ASCII = [_ascii(n) for n in FIRST]
_LAST_ASCII = [_ascii(n) for n in LAST]


def customers(index: np.ndarray) -> tuple[pa.Array, pa.Array]:
    """Customer number -> (display name, e-mail). Distinct numbers give distinct e-mails."""
    k = np.asarray(index, dtype=np.int64)
    nf, nl = len(FIRST), len(LAST)
    fi = (k * 7 + k // nf) % nf
    li = (k // nf) % nl
    num = k // (nf * nl)
    name = join(pick(FIRST, fi), pick(LAST, li), sep=" ")
    suffix = pa.array(np.where(num > 0, num.astype(str), ""), type=pa.string())
    email = join(pick(_FIRST_ASCII, fi), ".", pick(_LAST_ASCII, li), suffix, "@example.com")
    return name, email
