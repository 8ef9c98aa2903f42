"""Words for names the code builds at run time (a phase, a refusal's key, a pydantic error
type): marked for extraction with N_ (NP_ with a context) and translated where shown.

Generated once from the old YAML catalogue; edit freely (a test keeps en.po complete).
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


def NP_(context: str, message: str) -> str:
    """N_ for a message with a context (the same Danish, told apart in English)."""
    return message


def NN_(singular: str, plural: str) -> tuple[str, str]:
    """N_ for a message with a plural form (shown with ngettext)."""
    return singular, plural


REFUSALS: dict[str, str] = {
    "participant.left": N_("Du er ikke længere med i sessionen: deltag igen med koden"),
    "step.no_result": N_("Der er intet resultat at vise endnu"),
    "participants.unknown": N_("Deltager %(number)s er ikke med i sessionen"),
    "nothing": N_("ingen"),
    "phase.not_in_case": N_("Fasen '%(phase)s' findes ikke for denne case"),
    "phase.no_next": N_("Kan ikke gå videre: casen er allerede i fasen '%(found)s'"),
    "phase.already": N_("Casen er allerede i fasen '%(phase)s'"),
    "phase.one_back": N_(
        "Kan kun gå én fase tilbage: fra '%(found)s' til '%(expected)s', ikke til '%(target)s'"
    ),
    "phase.no_previous": N_("Kan ikke gå tilbage: casen er i den første fase ('%(found)s')"),
    "vote.not_running": N_(
        "Der kan ikke stemmes nu: sessionen er '%(found)s', ikke '%(expected)s'"
    ),
    "vote.closed": N_("Der kan ikke stemmes nu: fasen er '%(found)s', ikke '%(expected)s'"),
    "answer.closed": N_(
        "Gruppens svar kan kun skrives under drøftelse og gruppens svar (fasen er '%(found)s')"
    ),
    "reason.closed": N_(
        "Begrundelser kan kun skrives under afstemning og drøftelse (fasen er '%(found)s')"
    ),
    "session.start_from_lobby": N_(
        "Sessionen kan kun startes fra '%(expected)s'; den er '%(found)s'"
    ),
    "session.no_cases": N_("Sessionen har ingen cases at starte med"),
    "session.not_running": N_("Sessionen kører ikke: den er '%(found)s', ikke '%(expected)s'"),
    "session.last_case": N_("Der er ikke flere cases i sessionen; afslut sessionen i stedet"),
    "session.ended": N_("Sessionen er afsluttet og kan ikke længere tilgås"),
    "session.already_ended": N_("Sessionen er allerede afsluttet"),
    "reveal.waiting": N_(
        "Resultatet kan vises, når alle grupper har svaret (%(answered)s af %(groups)s har) eller tiden er gået. Brug 'Vis resultat alligevel' for at vise det nu."
    ),
    "areas.too_many": N_("Højst %(most)s områder"),
    "areas.too_long": N_("Et område må højst være %(most)s tegn: '%(area)s…'"),
    "areas.unknown": N_("Vælg et af områderne på listen"),
    "session.no_title": N_("Giv sessionen en titel"),
    "session.title_too_long": N_("Titlen må højst være %(most)s tegn"),
    "session.group_size": N_("Gruppestørrelsen skal være 3, 4 eller 5, ikke %(found)s"),
    "session.unknown_format": N_("Ukendt format: %(found)s"),
    "session.no_cases_chosen": N_("Vælg mindst én case"),
    "session.unknown_cases": N_("Ukendt case: %(found)s"),
    "session.no_current_case": N_("Sessionen har ingen aktuel case"),
    "timers.unknown_phase": N_("Ukendt fase i timerne: %(found)s"),
    "timers.range": N_("En fases timer angives i hele minutter fra 0 til 60"),
    "timer.range": N_("Timeren skal være mellem 1 sekund og 60 minutter"),
    "timer.whole_seconds": N_("Timeren skal angives i hele sekunder"),
    "none.session": N_("Der findes ingen session med koden '%(code)s'. Tjek koden på skærmen."),
    "none.summary": N_("Der findes ingen offentliggjort opsummering med koden '%(code)s'."),
    "none.case": N_("Der findes ingen case med kortnavnet '%(slug)s'"),
    "none.case_set": N_("Der findes ingen casesamling '%(slug)s'"),
    "none.screen": N_("Der findes ingen visning ved det navn"),
    "action.unknown": N_("Ukendt handling: %(found)s"),
    "groups.disagree_later": N_(
        "'%(mode)s' bruger stemmerne fra casens første afstemning: vælg det under Grupper, når der er stemt"
    ),
    "groups.no_areas": N_("Sessionen har ingen områder at blande: opret den med en liste"),
    "groups.no_votes": N_("'%(mode)s' kræver, at der er stemt i casens første afstemning"),
    "groups.not_running": N_(
        "Grupper dannes, mens sessionen kører: den er '%(found)s', ikke '%(expected)s'"
    ),
    "groups.unknown_mode": N_("Ukendt måde at danne grupper på: %(found)s"),
    "groups.unknown_member": N_("Ukendt deltager eller gruppe"),
    "join.alias_too_long": N_("Kaldenavnet må højst være %(most)s tegn"),
    "case.moved_on": N_("Casen er skiftet; din skærm er opdateret, prøv igen"),
    "duty.unknown": N_("Vælg en af de syv pligter, eller lad feltet stå tomt"),
    "difficulty.range": N_("Hvor svært: vælg 1-5"),
    "option.unknown": N_("Vælg en af mulighederne %(expected)s"),
    "reason.too_long": N_("Begrundelsen må højst være %(most)s tegn"),
    "text.unknown": N_("Ukendt tekst"),
    "answer.no_group": N_("Du er ikke i en gruppe endnu"),
    "answer.too_long": N_("Gruppens svar må højst være %(most)s tegn"),
    "answer.empty": N_("Vælg en mulighed eller skriv gruppens begrundelse"),
    "answer.empty_advice": N_("Skriv gruppens råd"),
    "summary.not_ended": N_(
        "Opsummeringen kan laves, når sessionen er afsluttet (den er '%(found)s')."
    ),
    "summary.notes_fixed": N_("Opsummeringen er offentliggjort; noterne kan ikke længere ændres."),
    "summary.note_too_long": N_("En note må højst være %(most)s tegn"),
    "summary.no_case": N_("Sessionen har ingen case nummer %(position)s"),
    "summary.purge_failed": N_(
        "Rådata kunne ikke slettes lige nu (fejlen er skrevet i serverens log). Det prøves igen automatisk; du kan også prøve igen her."
    ),
    "message.binary": N_(
        "Beskeden kunne ikke læses (binære data). Genindlæs siden, hvis det sker igen."
    ),
    "message.too_big": N_("Beskeden er for stor (højst %(most)s KB)."),
    "message.unreadable": N_("Beskeden kunne ikke læses. Genindlæs siden, hvis det sker igen."),
    "message.no_action": N_("Beskeden mangler en handling. Genindlæs siden, hvis det sker igen."),
    "message.not_text": N_(
        "Feltet »%(field)s« skal være tekst; intet er gemt. Genindlæs siden, hvis det sker igen."
    ),
    "summary.already_published": N_("Opsummeringen er allerede offentliggjort."),
    "case.not_saved": N_("Casen er ikke gemt. %(detail)s"),
    "import.unreadable": N_("Filen kunne ikke læses som YAML (UTF-8): %(detail)s"),
    "import.not_a_set": N_("Filen skal være en eksporteret casesamling med en liste 'cases'"),
    "import.too_many": N_("Højst %(most)s cases pr. import"),
    "import.too_big": N_("Filen er for stor (højst %(most)s MB)"),
    "dilemma.too_short": N_("Beskriv dilemmaet med mindst %(least)s tegn"),
    "dilemma.too_long": N_("Dilemmaet må højst være %(most)s tegn"),
    "dilemma.unknown_duty": N_("Ukendt pligt: vælg blandt de syv pligter"),
    "dilemma.session_ended": N_("Sessionen er afsluttet; der kan ikke deles flere dilemmaer"),
    "dilemma.too_many": N_("Der er delt mange dilemmaer i denne session; spørg facilitatoren"),
    "dilemma.unknown": N_("Dilemmaet findes ikke i denne session"),
    "dilemma.handled": N_("Dilemmaet er allerede behandlet"),
    "dilemma.title": N_("Giv casen en titel på 1-%(most)s tegn"),
    "dilemma.no_duty": N_("Vælg casens primære pligt"),
    "dilemma.not_dismissed": N_("Dilemmaet er ikke afvist"),
    "message.no_id": N_("Beskeden mangler et gyldigt id. Genindlæs siden."),
    "message.id_reused": N_("Beskedens id er allerede brugt til noget andet; den blev ikke gemt."),
    "access.not_shared": N_(
        "Sessionen %(code)s er en anden facilitators. Kun ejeren og de medfacilitatorer, ejeren har tilføjet, kan se og styre den."
    ),
    "access.owner_only": N_(
        "Kun sessionens ejer kan dele den, offentliggøre opsummeringen og slette rådata (%(code)s)."
    ),
    "access.account_gone": N_("Din konto findes ikke længere eller er spærret. Log ind igen."),
    "share.no_such_facilitator": N_("Der er ingen facilitator med brugernavnet '%(name)s'."),
    "share.already": N_("%(name)s kan allerede styre sessionen."),
    "share.not_co_facilitator": N_("Den bruger er ikke medfacilitator på sessionen."),
    "share.no_readers": N_(
        "Vælg mindst én læser i ledelsen, som opsummeringen skal offentliggøres for."
    ),
    "share.not_published": N_("Opsummeringen er ikke offentliggjort endnu."),
    "none.account": N_("Kontoen findes ikke (længere)."),
    "account.not_yourself": N_(
        "Du kan ikke ændre, spærre eller slette din egen konto her; bed en anden administrator."
    ),
    "account.unknown_role": N_("Ukendt rolle '%(found)s'"),
    "account.bad_username": N_("Brugernavnet skal være 2-80 tegn: bogstaver, tal og . _ - @ +"),
    "account.taken": N_("Brugernavnet '%(name)s' er optaget."),
    "account.bad_successor": N_("Sessionerne kan kun overdrages til en anden facilitator."),
    "account.confirm_remove": N_("Sæt kryds for at bekræfte, at kontoen skal slettes."),
    "account.password_short": N_("Adgangskoden skal være mindst %(most)s tegn."),
    "account.password_mismatch": N_("De to adgangskoder er ikke ens."),
    "sso.unreachable": N_(
        "Organisationens login svarer ikke lige nu. Prøv igen om lidt, eller kontakt IT."
    ),
    "sso.failed": N_(
        "Login med organisationens konto blev afvist: svaret fra identitetsudbyderen kunne ikke godkendes (ugyldigt, udløbet eller ændret). Prøv igen."
    ),
    "sso.no_role": N_(
        "Din konto hos organisationen giver ikke adgang til Sparring: den har ingen gruppe, der er knyttet til en rolle (kravet '%(claim)s'). Bed IT om at give dig adgang."
    ),
    "sso.disabled": N_("Din Sparring-konto er spærret. Kontakt en administrator."),
    "casework.ended": N_("Sessionen er slut"),
    "casework.write_closed": N_("Egne sager skrives, før grupperne går i gang (nu: '%(found)s')"),
    "casework.title": N_("Giv sagen en titel på højst %(most)s tegn"),
    "casework.too_short": N_("Skriv mindst %(least)s tegn"),
    "casework.too_long": N_("Højst %(most)s tegn"),
    "casework.no_case": N_("Din gruppe har ingen case"),
    "casework.has_giver": N_("Casen har allerede en case-giver"),
    "casework.duties_closed": N_("Pligterne i spil markeres fra refleksionen (nu: '%(found)s')"),
    "casework.giver_listens": N_(
        "Case-giveren lytter, mens gruppen reflekterer; du kan rette pligterne bagefter"
    ),
    "casework.nothing_to_mark": N_("Der er intet at markere i fasen '%(found)s'"),
    "casework.giver_only": N_("Kun case-giveren kan det"),
    "casework.close_closed": N_("Case-giveren lukker sagen i afrundingen (nu: '%(found)s')"),
    "casework.share_unknown": N_("Vælg hvad der må komme ud af gruppen"),
    "casework.brief_needed": N_(
        "Skriv den anonymiserede version (mindst %(least)s tegn), eller vælg ikke at dele sagen"
    ),
    "casework.follow_up_closed": N_("Opfølgningen skrives, når mødet er i gang (nu: '%(found)s')"),
    "casework.group_has_case": N_("Gruppen har allerede en case"),
    "casework.merge_same": N_("Vælg to forskellige grupper"),
    "casework.merge_two_cases": N_("Begge grupper har en case; flyt deltagere enkeltvis i stedet"),
    "casework.not_group_cases": N_(
        "Det gælder kun kollegasparring, hvor hver gruppe har sin egen case"
    ),
    "casework.no_library_plan": N_(
        "Grupperne bringer selv deres sager; fjern fluebenene ved casene (en bibliotekscase kan gives til en gruppe under sessionen)"
    ),
    "casework.series_after_end": N_("Næste møde i serien oprettes, når dette møde er afsluttet"),
    "casework.questions_closed": N_(
        "Spørgsmål noteres under de opklarende spørgsmål (nu: '%(found)s')"
    ),
    "casework.choose_offer": N_("Vælg et indsendt dilemma eller en bibliotekscase"),
}
"""A refusal by the rules (RuleError's key)."""

CASE_FILE_FIELDS: dict[str, str] = {
    "title": N_("Titel"),
    "set": N_("Casesamling"),
    "number": N_("Nummer"),
    "duty": N_("Primær pligt"),
    "secondary_duties": N_("Sekundære pligter"),
    "text": N_("Casetekst"),
    "question": N_("Spørgsmål"),
    "options": N_("Svarmuligheder"),
    "prompts": N_("Drøftelsesspørgsmål"),
    "source": N_("Kilde"),
    "language": N_("Sprog"),
    "slug": N_("Kortnavn"),
}
"""A case file's fields, named in an import report."""

CASE_FILE_ERRORS: dict[str, str] = {
    "missing": N_("skal udfyldes"),
    "too_short": N_("skal have mindst %(min_length)s (har %(actual_length)s)"),
    "too_long": N_("må højst have %(max_length)s (har %(actual_length)s)"),
    "string_too_short": N_("skal være mindst %(min_length)s tegn"),
    "string_too_long": N_("må højst være %(max_length)s tegn"),
    "string_type": N_("skal være tekst"),
    "list_type": N_("skal være en liste"),
    "int_parsing": N_("skal være et helt tal"),
    "int_type": N_("skal være et helt tal"),
    "extra_forbidden": N_("er ikke et kendt felt"),
}
"""A case file's validation errors, by pydantic's type."""

CASE_FILE_UNKNOWN: dict[str, str] = {
    "duties": N_("ukendt pligt '%(value)s' (kendte: %(known)s)"),
    "sets": N_("ukendt casesamling '%(value)s' (kendte: %(known)s)"),
}
"""An unknown value in a case file, by field."""

PHASES: dict[str, str] = {
    "advice": N_("Gruppens råd"),
    "clarify": N_("Opklarende spørgsmål"),
    "closed": N_("Afsluttet"),
    "discuss": N_("Drøftelse i grupper"),
    "group_answer": N_("Gruppens svar"),
    "present": N_("Præsentation"),
    "reflect": N_("Refleksion over pligterne"),
    "reveal": N_("Resultat"),
    "revote": N_("Ny afstemning"),
    "vote": N_("Afstemning"),
    "choose": N_("Find jeres case"),
    "follow_up": N_("Hvad skete der?"),
    "takeaway": N_("Case-giveren afrunder"),
}
"""The phases' labels."""

_READY = NN_("af %(num)s gruppe er klar", "af %(num)s grupper er klar")
PROGRESS: dict[str, tuple[str, str]] = {
    "choose": NN_("af %(num)s gruppe har en case-giver", "af %(num)s grupper har en case-giver"),
    "follow_up": _READY,
    "present": _READY,
    "clarify": _READY,
    "reflect": _READY,
    "group_answer": NN_(
        "af %(num)s gruppe har givet sit råd", "af %(num)s grupper har givet deres råd"
    ),
    "takeaway": NN_("af %(num)s case-giver har lukket", "af %(num)s case-givere har lukket"),
    "closed": NN_("af %(num)s gruppe er færdig", "af %(num)s grupper er færdige"),
}
"""'of 3 groups are ready' for each step of own cases (after the count of those done)."""

TASKS: dict[str, str] = {
    "closed": N_("Runden er slut. Tak for sparringen."),
    "follow_up.giver": N_(
        "Fortæl gruppen, hvad der skete med din sag siden sidst: hvad gjorde du, og hvordan gik det? Skriv det kort."
    ),
    "follow_up.member": N_("Hør hvad der skete med sagen fra sidste møde. Spørg gerne ind."),
    "no_case": N_(
        "Jeres gruppe har ingen case endnu: skriv din egen sag herunder, eller bed facilitatoren om et dilemma."
    ),
    "no_giver": N_("Gruppen har fået en case. Hvem af jer vil være case-giver og fremlægge den?"),
    "choose.giver": N_(
        "Gør dig klar til at fremlægge din sag for gruppen, når de har fundet hinanden."
    ),
    "choose.member": N_("Jeres gruppe har en case. Find hinanden og sæt jer sammen."),
    "present.giver": N_("Fremlæg din sag for gruppen: hvad skete der, og hvor er dilemmaet?"),
    "present.member": N_("Lyt til case-giveren. Casen står her på telefonen."),
    "clarify.giver": N_(
        "Svar på gruppens opklarende spørgsmål: kun fakta, ingen forsvar og ingen råd endnu."
    ),
    "clarify.member": N_(
        "Stil opklarende spørgsmål: hvad mangler du at vide? Ingen råd endnu. Notér dine spørgsmål her."
    ),
    "reflect.giver": N_(
        "Lyt uden at svare, mens gruppen reflekterer over pligterne. Notér for dig selv, hvad du hører."
    ),
    "reflect.member": N_(
        "Drøft hvilke pligter der er i spil, og hvor de trækker i hver sin retning, mens case-giveren lytter. Markér dem her."
    ),
    "group_answer.giver": N_("Lyt til gruppens råd. Du kan rette pligterne i spil."),
    "group_answer.member": N_("Giv case-giveren jeres råd, og skriv dem ned."),
    "takeaway.giver": N_("Luk af: hvad tager du med dig? Vælg hvad der må komme ud af gruppen."),
    "takeaway.member": N_("Case-giveren afrunder med, hvad de tager med sig. Lyt."),
}
"""A phone's task in a step of own cases (app.domain.casework.task)."""

OWN_STEPS: dict[str, str] = {
    "choose": N_(
        "Find jeres gruppe. Hver gruppe har en case-giver, der bringer en sag fra sin egen hverdag."
    ),
    "follow_up": N_(
        "Hvad skete der? Case-givere med en åben sag fra sidste møde fortæller deres gruppe, hvordan det gik."
    ),
    "present": N_("Case-giveren fremlægger sin sag: hvad skete der, og hvor er dilemmaet?"),
    "clarify": N_("Opklarende spørgsmål til case-giveren: kun spørgsmål, ingen råd endnu."),
    "reflect": N_("Gruppen drøfter, hvilke pligter der er i spil, mens case-giveren lytter."),
    "group_answer": N_("Gruppen giver case-giveren sine råd."),
    "takeaway": N_(
        "Case-giveren afrunder med, hvad de tager med sig, og vælger hvad der må komme ud af gruppen."
    ),
}
"""With own cases: the room-wide instruction of each step."""

STEPS: dict[str, str] = {
    "clarify": N_(
        "Stil opklarende spørgsmål: hvad mangler I at vide for at forstå situationen? Giv ingen råd endnu."
    ),
    "group_answer": N_("Bliv enige om gruppens råd til kollegaen, og skriv det."),
    "present": N_("Læs kollegaens dilemma. Hvad er på spil, og for hvem?"),
    "reflect": N_(
        "Hvilke af de syv pligter er i spil, og hvor trækker de i hver sin retning? Skriv din refleksion."
    ),
    "reveal": N_("Gruppernes råd til kollegaen."),
}
"""Kollegasparring: the phones' instruction for each step."""

AUDIT_ACTIONS: dict[str, str] = {
    "session.created": N_("Session oprettet"),
    "session.started": N_("Session startet"),
    "session.ended": N_("Session afsluttet"),
    "session.shared": N_("Medfacilitator tilføjet"),
    "session.unshared": N_("Medfacilitator fjernet"),
    "summary.published": N_("Opsummering offentliggjort"),
    "summary.readers": N_("Læsere ændret"),
    "summary.downloaded": N_("Opsummering hentet"),
    "summary.purged": N_("Rådata slettet"),
    "account.created": N_("Konto oprettet"),
    "account.role": N_("Rolle ændret"),
    "account.password": N_("Adgangskode ændret"),
    "account.disabled": N_("Konto spærret"),
    "account.enabled": N_("Konto genåbnet"),
    "account.removed": N_("Konto slettet"),
    "login.succeeded": N_("Logget ind"),
    "login.failed": N_("Mislykket login"),
}
"""The audit trail's actions."""

ADMIN_DONE: dict[str, str] = {
    "role": N_("Rollen er skiftet; kontoens logins er afsluttet."),
    "enabled": N_("Kontoen er genåbnet."),
    "disabled": N_("Kontoen er spærret, og dens logins er afsluttet."),
    "removed": N_("Kontoen er slettet."),
}
"""What an admin's change did."""

DILEMMA_DONE: dict[str, str] = {
    "promote": N_("Dilemmaet er nu sidste case i sessionen."),
    "save": N_("Rettelsen er gemt."),
    "dismiss": N_("Dilemmaet er afvist. Fortryd herunder, hvis det var en fejl."),
    "restore": N_("Dilemmaet er tilbage blandt de nye."),
}
"""What a dilemma's moderation did."""

SHARE_DONE: dict[str, str] = {
    "added": N_("Medfacilitatoren er tilføjet."),
    "removed": N_("Medfacilitatoren er fjernet; kollegaens åbne sider er lukket."),
}
"""What sharing a session did."""

ORIGINS: dict[str, str] = {
    "own": N_("Egen sag"),
    "submission": N_("Indsendt dilemma"),
    "library": N_("Bibliotekscase"),
    "carried": N_("Fra sidste møde"),
}
"""Where an own case came from."""

SHARES: dict[str, str] = {
    "none": N_("ingenting"),
    "advice": N_("pligterne i spil og gruppens råd"),
    "case": N_("pligterne, rådet og en anonymiseret version af sagen"),
}
"""What of an own case may leave the group."""

MODE_HELP: dict[str, str] = {
    "keep": N_("Alle bliver i deres gruppe; nye deltagere sættes i den mindste gruppe."),
    "random": N_("Alle blandes tilfældigt i nye, lige store grupper."),
    "mix_areas": N_("Hvert område spredes over grupperne, så grupperne får flere vinkler."),
    "disagree": N_("Efter første afstemning: hver gruppe får folk, der stemte forskelligt."),
}
"""What each way of forming groups does."""

MODES: dict[str, str] = {
    "keep": N_("Behold grupperne"),
    "random": N_("Bland tilfældigt"),
    "mix_areas": N_("Bland områderne"),
    "disagree": N_("Saml uenige"),
}
"""The ways of forming groups."""

ROLES: dict[str, str] = {
    "facilitator": N_("Facilitator"),
    "reviewer": N_("Leder (læseadgang)"),
    "admin": N_("Administrator"),
}
"""Accounts' roles."""

STATUSES: dict[str, str] = {
    "lobby": NP_("session status", "Lobby"),
    "running": NP_("session status", "I gang"),
    "ended": NP_("session status", "Afsluttet"),
}
"""A session's status (context 'session status')."""

FORMATS: dict[str, str] = {
    "dilemma": N_("Dilemma med afstemning"),
    "kollegasparring": N_("Kollegasparring"),
}
"""The session formats."""

WARNINGS: dict[str, str] = {
    "few_people": N_("Kun %(people)s: alle er i én gruppe, men en gruppe bør have mindst 3."),
    "too_small": N_("Gruppe %(group)s har kun %(members)s; omfordel grupperne."),
    "too_big": N_("Gruppe %(group)s har %(size)s medlemmer; omfordel grupperne."),
}
"""Group size warnings."""

LOGIN: dict[str, str] = {
    "facilitator": N_("Log ind som facilitator"),
    "reviewer": N_("Log ind som leder (læseadgang)"),
    "admin": N_("Log ind som administrator"),
}
"""The login page's heading, by role."""
