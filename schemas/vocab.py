"""Controlled vocabularies of the dataset: ACLED event types, actor types, governorates.

The spellings are the ones of the annotation guidelines; notebooks and dashboards filter on them,
so they are part of the contract and must not drift.
"""

from __future__ import annotations

from typing import Literal, get_args

EventType = Literal[
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Protests",
    "Riots",
    "Strategic developments",
]

SubEventType = Literal[
    # Battles
    "Armed clash",
    "Government regains territory",
    "Non-state actor overtakes territory",
    # Explosions/Remote violence
    "Air/drone strike",
    "Shelling/artillery/missile attack",
    "Remote explosive/landmine/IED",
    "Suicide bomb",
    "Chemical weapon",
    "Grenade",
    # Violence against civilians
    "Attack",
    "Abduction/forced disappearance",
    "Sexual violence",
    # Protests
    "Peaceful protest",
    "Protest with intervention",
    "Excessive force against protesters",
    # Riots
    "Violent demonstration",
    "Mob violence",
    # Strategic developments
    "Agreement",
    "Arrests",
    "Non-violent transfer of territory",
    "Looting/property destruction",
    "Disrupted weapons use",
    "Headquarters or base established",
    "Change to group/activity",
    "Other",
]

# Which event type each sub-event type belongs to (ACLED's hierarchy).
SUB_EVENT_PARENT: dict[str, str] = {
    "Armed clash": "Battles",
    "Government regains territory": "Battles",
    "Non-state actor overtakes territory": "Battles",
    "Air/drone strike": "Explosions/Remote violence",
    "Shelling/artillery/missile attack": "Explosions/Remote violence",
    "Remote explosive/landmine/IED": "Explosions/Remote violence",
    "Suicide bomb": "Explosions/Remote violence",
    "Chemical weapon": "Explosions/Remote violence",
    "Grenade": "Explosions/Remote violence",
    "Attack": "Violence against civilians",
    "Abduction/forced disappearance": "Violence against civilians",
    "Sexual violence": "Violence against civilians",
    "Peaceful protest": "Protests",
    "Protest with intervention": "Protests",
    "Excessive force against protesters": "Protests",
    "Violent demonstration": "Riots",
    "Mob violence": "Riots",
    "Agreement": "Strategic developments",
    "Arrests": "Strategic developments",
    "Non-violent transfer of territory": "Strategic developments",
    "Looting/property destruction": "Strategic developments",
    "Disrupted weapons use": "Strategic developments",
    "Headquarters or base established": "Strategic developments",
    "Change to group/activity": "Strategic developments",
    "Other": "Strategic developments",
}

ActorType = Literal[
    "State forces",
    "Rebel group",
    "Political militia",
    "Identity militia",
    "Rioters",
    "Protesters",
    "Civilians",
    "External/Other forces",
]

# ACLED's numeric actor-type codes (inter1/inter2), used by the ACLED export.
ACTOR_TYPE_CODE: dict[str, int] = {
    "State forces": 1,
    "Rebel group": 2,
    "Political militia": 3,
    "Identity militia": 4,
    "Rioters": 5,
    "Protesters": 6,
    "Civilians": 7,
    "External/Other forces": 8,
}

Admin1 = Literal[
    "Damascus",
    "Rural Damascus",
    "Aleppo",
    "Idleb",
    "Hama",
    "Homs",
    "Dar'a",
    "As-Sweida",
    "Quneitra",
    "Lattakia",
    "Tartous",
    "Ar-Raqqa",
    "Deir-ez-Zor",
    "Al-Hasakeh",
]

RejectReason = Literal[
    "broken_json",
    "missing_field",
    "empty",
    "undecodable",
    "binary",
    "html",
    "not_arabic",
    "oversize",
    "bad_date",
    "duplicate_id",
    "unreadable_file",
    "processing_error",
]

# Flags an event can carry; each one tells the analyst why a field is less certain than usual.
EventFlag = Literal[
    "location_unresolved",  # a place was named but not found in the gazetteer: no coordinates
    "location_missing",  # the sentence names no place
    "admin1_from_context",  # unknown place: admin1 is that of the nearest place the article names
    "date_from_publication",  # no time expression: the date is the publication date
    "date_inherited",  # the date comes from the preceding sentence of the same report
    "date_unresolved",  # no publication date to resolve against
    "date_of_statement",  # the date is that of a statement about the event: on or before it
    "denied",  # the article reports a denial of the event
    "alleged",  # the event is only claimed or accused
    "title_only",  # reported only in the headline
]

EVENT_TYPES: tuple[str, ...] = get_args(EventType)
SUB_EVENT_TYPES: tuple[str, ...] = get_args(SubEventType)
ACTOR_TYPES: tuple[str, ...] = get_args(ActorType)
ADMIN1_NAMES: tuple[str, ...] = get_args(Admin1)
