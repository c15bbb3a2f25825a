"""Who may see and record what: the permission matrix, as pure functions."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from django.utils.translation import gettext_lazy


class Role(StrEnum):
    DESK = "desk"
    OCS = "ocs"
    INVESTIGATOR = "investigator"
    TRAFFIC = "traffic"
    COMMANDER = "commander"
    ANALYST = "analyst"
    OVERSIGHT = "oversight"
    ADMIN = "admin"
    # The refugee register (Department of Refugee Services): not police roles, no Occurrence Book.
    DRS_OFFICER = "drs_officer"
    DRS_SUPERVISOR = "drs_supervisor"
    UNHCR_LIAISON = "unhcr_liaison"
    # The MSS deployment roles (issue 15): national, at NPS HQ or the training school, with no
    # station's book in their reach (they are in neither STATION_ROLES nor NATIONAL_ROLES).
    DEPLOYMENT = "deployment"
    VETTING = "vetting"
    MEDICAL = "medical"
    TRAINER = "trainer"


# Each role by the name officers use for it, on pages (the access log) and in the API's answers.
ROLE_NAMES = {
    Role.DESK: gettext_lazy("Report office (desk)"),
    Role.OCS: gettext_lazy("OCS (officer commanding station)"),
    Role.INVESTIGATOR: gettext_lazy("Investigator"),
    Role.TRAFFIC: gettext_lazy("Traffic officer"),
    Role.COMMANDER: gettext_lazy("Commander"),
    Role.ANALYST: gettext_lazy("Analyst"),
    Role.OVERSIGHT: gettext_lazy("Oversight (IPOA)"),
    Role.ADMIN: gettext_lazy("Administrator"),
    Role.DRS_OFFICER: gettext_lazy("DRS registration officer"),
    Role.DRS_SUPERVISOR: gettext_lazy("DRS supervisor"),
    Role.UNHCR_LIAISON: gettext_lazy("UNHCR liaison"),
    Role.DEPLOYMENT: gettext_lazy("Deployment officer (NPS HQ)"),
    Role.VETTING: gettext_lazy("Vetting officer"),
    Role.MEDICAL: gettext_lazy("Medical officer"),
    Role.TRAINER: gettext_lazy("Trainer"),
}


def role_names(roles: Iterable[str]) -> str:
    """The roles as people say them: "desk", "ocs" → "Report office (desk), OCS (officer commanding station)"."""
    known = {role.value: name for role, name in ROLE_NAMES.items()}
    return ", ".join(str(known.get(role, role)) for role in roles if role)


DEPLOYMENT_ROLES = frozenset({Role.DEPLOYMENT, Role.VETTING, Role.MEDICAL, Role.TRAINER})
STATION_ROLES = frozenset({Role.DESK, Role.OCS, Role.INVESTIGATOR, Role.TRAFFIC})
NATIONAL_ROLES = frozenset({Role.ANALYST, Role.OVERSIGHT, Role.ADMIN})

# The report office and its commander keep the book and hold the cells: they correct any entry of
# the station's book, book people into the cells and record every custody event (meals, visits,
# cell moves, release, court, transfer). Nobody else has a detainee in their charge.
BOOK_KEEPERS = frozenset({Role.DESK, Role.OCS})
CUSTODY_HOLDERS = BOOK_KEEPERS
# Who reads the figures of fines and custody across their reach (no recording comes with it).
SUPERVISORS = frozenset({Role.OCS, Role.COMMANDER, Role.OVERSIGHT, Role.ADMIN, Role.ANALYST})
# The money itself (M-Pesa receipts against notices) is for those who answer for it, not analysts.
RECONCILERS = frozenset({Role.OCS, Role.COMMANDER, Role.OVERSIGHT, Role.ADMIN})


@dataclass(frozen=True)
class Scope:
    """An officer's reach: their roles, their station and that station's county."""

    roles: frozenset[Role]
    station_code: str | None
    county_code: int | None
    station_id: int | None = None

    @property
    def is_national(self) -> bool:
        return bool(self.roles & NATIONAL_ROLES)


NO_SCOPE = Scope(roles=frozenset(), station_code=None, county_code=None)


def scope_of_roles(roles: Iterable[Role]) -> Scope:
    """The reach of the roles alone, at no station: for asking a predicate about an officer not yet
    enrolled, or about a role wherever it serves."""
    return Scope(roles=frozenset(roles), station_code=None, county_code=None)


def roles_that(predicate: Callable[[Scope], bool]) -> list[Role]:
    """The roles the predicate allows on their own, wherever they serve: whom a national alert reaches."""
    return [role for role in Role if predicate(scope_of_roles([role]))]


class Reach(StrEnum):
    """Where an officer in a role serves for a predicate about one station to allow them."""

    STATION = "station"  # at that station
    COUNTY = "county"  # at any station of its county
    NATIONAL = "national"  # wherever they serve, or at none


def reach_of(predicate: Callable[[Scope], bool], *, station_code: str, county_code: int) -> dict[Role, Reach]:
    """For each role the predicate, asked about one station, allows on its own: the widest place an
    officer in that role may serve and still be allowed. What a query of recipients filters on.

    An officer serving away from the station is asked as one at no station: the predicates tell a
    station apart by its code, so any other code (or none) answers the same."""
    national = roles_that(predicate)
    in_county = roles_that(lambda s: predicate(replace(s, county_code=county_code)))
    at_station = roles_that(lambda s: predicate(replace(s, station_code=station_code, county_code=county_code)))
    reach = dict.fromkeys(at_station, Reach.STATION)
    reach |= dict.fromkeys(in_county, Reach.COUNTY)
    reach |= dict.fromkeys(national, Reach.NATIONAL)
    return reach


def needs_a_station(scope: Scope) -> bool:
    """Station roles, and commanders (whose reach is their station's county), are enrolled at a station."""
    return bool(scope.roles & (STATION_ROLES | {Role.COMMANDER}))


def reads_only_to_review(scope: Scope) -> bool:
    """Oversight (IPOA) reads a record only to review it: its reads are logged as an oversight review."""
    return scope.roles == {Role.OVERSIGHT}


def can_see_station(scope: Scope, *, station_code: str, county_code: int) -> bool:
    if scope.is_national:
        return True
    if Role.COMMANDER in scope.roles and scope.county_code == county_code:
        return True
    return bool(scope.roles & STATION_ROLES) and scope.station_code == station_code


def can_record_at(scope: Scope, *, station_code: str) -> bool:
    """Only officers of the station record in its book; nobody records in another's."""
    return bool(scope.roles & STATION_ROLES) and scope.station_code == station_code


def sees_personal_data(scope: Scope) -> bool:
    """Analysts and the UNHCR liaison work on figures: names, ID numbers, phones and narratives are withheld."""
    return bool(scope.roles - {Role.ANALYST, Role.UNHCR_LIAISON})


def can_view_access_log(scope: Scope, *, station_code: str) -> bool:
    if scope.roles & {Role.OVERSIGHT, Role.ADMIN}:
        return True
    return Role.OCS in scope.roles and scope.station_code == station_code


def _at_own_station(scope: Scope, station_code: str, roles: frozenset[Role]) -> bool:
    return bool(scope.roles & roles) and scope.station_code is not None and scope.station_code == station_code


# --- The Occurrence Book ----------------------------------------------------------------------


def can_record_entry(scope: Scope, *, station_code: str) -> bool:
    """Every officer of the station records in its book (a traffic officer an accident, an
    investigator a statement); commanders, analysts and oversight never record."""
    return _at_own_station(scope, station_code, STATION_ROLES)


def can_amend_entry(scope: Scope, *, station_code: str, recorded_it: bool) -> bool:
    """The desk and the OCS correct any entry of their book; another officer only what they recorded."""
    if _at_own_station(scope, station_code, BOOK_KEEPERS):
        return True
    return recorded_it and can_record_entry(scope, station_code=station_code)


def sees_restricted_entry(scope: Scope, *, station_code: str, recorded_it: bool, assigned_to_them: bool) -> bool:
    """A restricted entry (GBV and the like) is read in full only by the station's OCS, the investigator
    assigned to its case and the officer who recorded it; everyone else sees only that it exists."""
    if _at_own_station(scope, station_code, frozenset({Role.OCS})):
        return True
    return (recorded_it or assigned_to_them) and _at_own_station(scope, station_code, STATION_ROLES)


# --- Casework ---------------------------------------------------------------------------------


def can_assign_investigator(scope: Scope, *, station_code: str) -> bool:
    return _at_own_station(scope, station_code, frozenset({Role.OCS}))


def can_be_assigned_cases(scope: Scope, *, station_code: str) -> bool:
    """A case is given to an investigator of its own station (the OCS's choice among them)."""
    return _at_own_station(scope, station_code, frozenset({Role.INVESTIGATOR}))


def can_update_case(scope: Scope, *, station_code: str, assigned_to_them: bool) -> bool:
    """The OCS of the station, or the investigator the case is assigned to."""
    if can_assign_investigator(scope, station_code=station_code):
        return True
    return assigned_to_them and can_be_assigned_cases(scope, station_code=station_code)


def follows_cases(scope: Scope) -> bool:
    """An investigator has a list of the cases assigned to them."""
    return Role.INVESTIGATOR in scope.roles and scope.station_code is not None


def sees_station_dashboard(scope: Scope) -> bool:
    """The OCS's landing page: the station's unassigned complaints, cases, investigators' workload,
    people in the cells and notices awaiting a decision."""
    return Role.OCS in scope.roles and scope.station_code is not None


# --- Custody ----------------------------------------------------------------------------------


def can_book_into_cells(scope: Scope, *, station_code: str) -> bool:
    return _at_own_station(scope, station_code, CUSTODY_HOLDERS)


def can_record_custody_event(scope: Scope, *, station_code: str) -> bool:
    """Any event of a detainee in the station's cells, release and court included."""
    return _at_own_station(scope, station_code, CUSTODY_HOLDERS)


def can_hand_over_for_removal(scope: Scope, *, station_code: str) -> bool:
    """Handing a person in the cells to immigration for removal from Kenya is the OCS's decision, at
    their own station: the Refugees Act 2021, s.18 (non-refoulement) forbids returning anyone to a
    country where they may be persecuted, so the desk never records it alone."""
    return _at_own_station(scope, station_code, frozenset({Role.OCS}))


def sees_cells_board(scope: Scope) -> bool:
    """The board is of one station's cells: for those who serve at (or command) a station."""
    return bool(scope.roles & (STATION_ROLES | {Role.COMMANDER})) and scope.station_code is not None


def is_alerted_to_court_deadlines(scope: Scope) -> bool:
    """The Art. 49 banner on every page, for those who can act on it at their station."""
    return bool(scope.roles & CUSTODY_HOLDERS) and scope.station_code is not None


def is_texted_court_deadlines(scope: Scope, *, station_code: str) -> bool:
    """The SMS 4 hours before an Art. 49 deadline, and at its breach, go to the OCS of the station
    holding the person: the one who answers for bringing them to court."""
    return _at_own_station(scope, station_code, frozenset({Role.OCS}))


def is_texted_deaths_and_injuries_in_custody(scope: Scope, *, station_code: str, county_code: int) -> bool:
    """A death or serious injury in a station's cells is texted at once to its OCS, to the commander of
    its county and to oversight (the IPOA Act has every one reported to IPOA)."""
    if Role.OVERSIGHT in scope.roles:
        return True
    if Role.COMMANDER in scope.roles and scope.county_code is not None and scope.county_code == county_code:
        return True
    return _at_own_station(scope, station_code, frozenset({Role.OCS}))


# --- Station nodes and the hub (NODES.md) --------------------------------------------------


def sees_station_nodes(scope: Scope) -> bool:
    """Who is behind, who was refused: the administrators who run the hub, commanders (their county),
    oversight, and an OCS for the station they answer for."""
    return bool(scope.roles & {Role.ADMIN, Role.COMMANDER, Role.OVERSIGHT, Role.OCS})


def can_hand_back_book(scope: Scope) -> bool:
    """Taking a station's book back from its node to the hub (the node retired, replaced, stolen):
    the administrators who run the hub."""
    return Role.ADMIN in scope.roles


def sees_link_state(scope: Scope, *, station_code: str) -> bool:
    """The state of a node's link to the hub (no personal data): its station's officers and national roles."""
    return scope.is_national or _at_own_station(scope, station_code, STATION_ROLES)


def is_alerted_to_node_refusals(scope: Scope) -> bool:
    """A node's book refused as a possible rewrite reaches oversight and the administrators at once."""
    return bool(scope.roles & {Role.OVERSIGHT, Role.ADMIN})


def commands_a_county(scope: Scope) -> bool:
    """A county commander's figures are the county's, not one station's."""
    return Role.COMMANDER in scope.roles and scope.county_code is not None


def sees_custody_compliance(scope: Scope) -> bool:
    return bool(scope.roles & SUPERVISORS)


# --- Fines ------------------------------------------------------------------------------------


def can_issue_notice(scope: Scope, *, station_code: str) -> bool:
    return _at_own_station(scope, station_code, frozenset({Role.TRAFFIC}))


def issues_notices(scope: Scope) -> bool:
    """A traffic officer has a list of the notices they issued today."""
    return can_issue_notice(scope, station_code=scope.station_code or "")


def can_send_payment_prompt(scope: Scope, *, station_code: str) -> bool:
    """Sends the M-Pesa prompt for a notice to the driver's phone: the officers of the issuing station
    who face the motorist (at the roadside or the counter). The money goes to the paybill, never to them."""
    return _at_own_station(scope, station_code, frozenset({Role.TRAFFIC, Role.DESK, Role.OCS}))


def can_cancel_notice(scope: Scope, *, station_code: str) -> bool:
    return _at_own_station(scope, station_code, frozenset({Role.OCS}))


def can_take_notice_to_court(scope: Scope, *, station_code: str) -> bool:
    """Records that the motorist contests the notice, so it goes to court instead of being paid."""
    return _at_own_station(scope, station_code, frozenset({Role.TRAFFIC, Role.OCS, Role.DESK}))


def can_record_court_outcome(scope: Scope, *, station_code: str) -> bool:
    return can_take_notice_to_court(scope, station_code=station_code)


def sees_fines_figures(scope: Scope) -> bool:
    return bool(scope.roles & SUPERVISORS)


# --- Crime figures (issue 12): counts only, nothing personal ---------------------------------
CRIME_FIGURE_LEVELS = ("station", "county", "national")


def sees_crime_figures(scope: Scope, *, level: str, code: str = "", county_code: int | None = None) -> bool:
    """Analyst, oversight and admin: every level; a commander: their county and its stations
    (``county_code`` is the county of the station asked for); an OCS: their own station."""
    if level not in CRIME_FIGURE_LEVELS:
        return False
    if scope.roles & {Role.ANALYST, Role.OVERSIGHT, Role.ADMIN}:
        return True
    if Role.COMMANDER in scope.roles and scope.county_code is not None:
        if level == "county" and code == str(scope.county_code):
            return True
        if level == "station" and county_code == scope.county_code:
            return True
    return Role.OCS in scope.roles and level == "station" and bool(code) and code == scope.station_code


def can_reconcile_payments(scope: Scope) -> bool:
    return bool(scope.roles & RECONCILERS)


def can_look_up_repeat_offenders(scope: Scope) -> bool:
    """A plate's or licence's earlier notices: the traffic officer at the roadside, and supervisors
    who see personal data (a plate or a licence is personal data)."""
    return (Role.TRAFFIC in scope.roles or sees_fines_figures(scope)) and sees_personal_data(scope)


# --- Documents --------------------------------------------------------------------------------


def can_issue_document(scope: Scope, *, station_code: str) -> bool:
    """Abstracts and certified extracts at the counter, the P3 Part I by the investigator."""
    return _at_own_station(scope, station_code, frozenset({Role.DESK, Role.OCS, Role.INVESTIGATOR}))


def can_revoke_document(scope: Scope, *, station_code: str) -> bool:
    return _at_own_station(scope, station_code, frozenset({Role.OCS}))


# --- The national alerts register -------------------------------------------------------------


def can_issue_alert(scope: Scope) -> bool:
    """A wanted or missing person, a stolen vehicle or a lost document, for every station to see: the
    officer commanding a station, a commander, an administrator. The desk sees alerts, never issues them."""
    if scope.roles & {Role.COMMANDER, Role.ADMIN}:
        return True
    return Role.OCS in scope.roles and scope.station_code is not None


def can_withdraw_alert(scope: Scope, *, issued_at_station: str) -> bool:
    """The OCS of the station that issued it, any commander, or an administrator."""
    if scope.roles & {Role.COMMANDER, Role.ADMIN}:
        return True
    return bool(issued_at_station) and _at_own_station(scope, issued_at_station, frozenset({Role.OCS}))


def sees_alerts_register(scope: Scope) -> bool:
    """Every officer and oversight read the register; analysts work on figures (it names people)."""
    return bool(scope.roles & (STATION_ROLES | {Role.COMMANDER, Role.OVERSIGHT, Role.ADMIN}))


def is_shown_alert_matches(scope: Scope, *, station_code: str) -> bool:
    """The officer recording at the station is told at once when a person or plate is on the register."""
    return can_record_entry(scope, station_code=station_code)


# --- The refugee register (issue 14) -------------------------------------------------------
# Kept by the Department of Refugee Services, not the police: none of these roles is a station role,
# so none of them reaches the Occurrence Book, and no police role reaches the register's people.
REGISTER_KEEPERS = frozenset({Role.DRS_OFFICER, Role.DRS_SUPERVISOR})
REGISTER_ROLES = REGISTER_KEEPERS | {Role.UNHCR_LIAISON}


def uses_the_occurrence_book(scope: Scope) -> bool:
    """Every police role (and administrators); not the refugee register's staff or the UNHCR liaison,
    nor the deployment roles (they prepare officers for missions abroad and keep no book)."""
    return bool(scope.roles - REGISTER_ROLES - DEPLOYMENT_ROLES)


def reads_refugee_register(scope: Scope) -> bool:
    """Names, documents and status history of registered people: the registration officers and their supervisor."""
    return bool(scope.roles & REGISTER_KEEPERS)


def sees_refugee_sensitive_fields(scope: Scope) -> bool:
    """Ethnicity and religion are read only by the supervisor (protection cases); the officer who
    registers a person records them but does not read them back."""
    return Role.DRS_SUPERVISOR in scope.roles


def can_register_refugees(scope: Scope) -> bool:
    """A household and its members are registered by a registration officer or the supervisor."""
    return bool(scope.roles & REGISTER_KEEPERS)


def can_record_status_step(scope: Scope, *, decision: bool) -> bool:
    """A registration or an appeal lodged is recorded by the officer; a decision (recognised,
    rejected, closed) only by the supervisor, who answers for it."""
    if decision:
        return Role.DRS_SUPERVISOR in scope.roles
    return bool(scope.roles & REGISTER_KEEPERS)


def can_issue_refugee_document(scope: Scope) -> bool:
    return bool(scope.roles & REGISTER_KEEPERS)


def can_report_refugee_document_lost(scope: Scope) -> bool:
    """The holder reports a lost document at the registration counter."""
    return bool(scope.roles & REGISTER_KEEPERS)


def can_revoke_refugee_document(scope: Scope) -> bool:
    return Role.DRS_SUPERVISOR in scope.roles


def can_check_refugee_document(scope: Scope) -> bool:
    """A police officer checks a refugee document shown as identity (its state, no person's details);
    the register's staff check them too. Not the analyst (figures only) nor the UNHCR liaison."""
    return bool(scope.roles & (STATION_ROLES | {Role.COMMANDER, Role.OVERSIGHT, Role.ADMIN} | REGISTER_KEEPERS))


def sees_refugee_figures(scope: Scope) -> bool:
    """Counts by status and document state, never a name: the supervisor and the UNHCR liaison."""
    return bool(scope.roles & {Role.DRS_SUPERVISOR, Role.UNHCR_LIAISON})


# --- Deployments abroad (MSS readiness, issue 15) -------------------------------------------
# National roles without a station: they see the candidates of a contingent, never a station's book.


def lands_on_deployments(scope: Scope) -> bool:
    """An officer whose only roles are the deployment roles starts on the deployments page."""
    return bool(scope.roles) and scope.roles <= DEPLOYMENT_ROLES


def can_manage_deployments(scope: Scope) -> bool:
    """Opens missions and contingents and nominates candidates: the deployment officer at NPS HQ."""
    return Role.DEPLOYMENT in scope.roles


def sees_readiness_board(scope: Scope) -> bool:
    """A contingent's candidates as ready / not yet / excluded: those who prepare, assess and vet
    them, and commanders (read). The desk, the OCS and analysts never see it."""
    return bool(scope.roles & {Role.DEPLOYMENT, Role.VETTING, Role.MEDICAL, Role.TRAINER, Role.COMMANDER})


def can_record_assessment(scope: Scope) -> bool:
    """The language, firearms, driving and computer tests: recorded by the trainer who ran them."""
    return Role.TRAINER in scope.roles


def can_record_training(scope: Scope) -> bool:
    """Pre-deployment training, attendance and assessment per module, and the course certificate: the trainer."""
    return Role.TRAINER in scope.roles


def can_record_fitness(scope: Scope) -> bool:
    """Medical and mental fitness, a pass or fail with its date and examining officer: the medical officer."""
    return Role.MEDICAL in scope.roles


def sees_vetting_record(scope: Scope) -> bool:
    """A candidate's vetting findings and decisions: the vetting officer, and IPOA as observer.
    Nothing of it reaches the candidate's colleagues; every read is logged."""
    return bool(scope.roles & {Role.VETTING, Role.OVERSIGHT})


def can_record_allegation(scope: Scope) -> bool:
    """Misconduct alleged in the mission (SEA included) and each step to its outcome: the vetting
    officer, who screens the officer for the next rotation. IPOA reads it (``sees_vetting_record``)."""
    return Role.VETTING in scope.roles


def can_record_disciplinary_matter(scope: Scope) -> bool:
    """A disciplinary (NPS Internal Affairs Unit, service board) or IPOA matter against an officer and
    its outcome, from that body's file: the vetting officer. IPOA reads them (``sees_vetting_record``)."""
    return Role.VETTING in scope.roles


def can_decide_vetting(scope: Scope) -> bool:
    """Clears a candidate or excludes them, with a reason: the vetting officer only."""
    return Role.VETTING in scope.roles


# --- Administration ---------------------------------------------------------------------------


def sees_an_access_log(scope: Scope) -> bool:
    """Whether the access log opens at all: every station's, or the officer's own station's."""
    return can_view_access_log(scope, station_code=scope.station_code or "")


def sees_every_stations_access_log(scope: Scope) -> bool:
    """Oversight and administrators read (and filter by station) the log of every station; the OCS only
    their own station's."""
    return bool(scope.roles & {Role.OVERSIGHT, Role.ADMIN})


def can_erase_personal_data(scope: Scope) -> bool:
    """A lawful erasure (court order, ODPC decision) is carried out by an administrator."""
    return Role.ADMIN in scope.roles


def runs_the_admin_site(scope: Scope) -> bool:
    """The Django admin site (officers, stations, the raw tables) is the administrators': their accounts
    are staff and superusers there."""
    return Role.ADMIN in scope.roles


def can_deactivate_officer(scope: Scope) -> bool:
    return Role.ADMIN in scope.roles


def can_revoke_api_token(scope: Scope, *, own_token: bool) -> bool:
    return own_token or Role.ADMIN in scope.roles


# --- The menu ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Menu:
    """What the menu offers: each link is shown by the same predicate that opens its page."""

    record_entry: bool
    cells_board: bool
    issue_notices: bool
    fines_figures: bool
    custody_compliance: bool
    reconcile_payments: bool
    access_log: bool
    my_cases: bool
    station_dashboard: bool
    my_notices: bool
    alerts_register: bool = False
    crime_figures: bool = False
    refugee_register: bool = False
    refugee_figures: bool = False
    occurrence_book: bool = True
    deployments: bool = False


def sees_some_crime_figures(scope: Scope) -> bool:
    """Whether the reader holds any level of crime figures (the menu link; the page asks sees_crime_figures)."""
    return (
        sees_crime_figures(scope, level="national")
        or (commands_a_county(scope) and sees_crime_figures(scope, level="county", code=str(scope.county_code)))
        or sees_crime_figures(scope, level="station", code=scope.station_code or "", county_code=scope.county_code)
    )


def menu_for(scope: Scope) -> Menu:
    return Menu(
        record_entry=can_record_entry(scope, station_code=scope.station_code or ""),
        cells_board=sees_cells_board(scope),
        issue_notices=can_issue_notice(scope, station_code=scope.station_code or ""),
        fines_figures=sees_fines_figures(scope),
        custody_compliance=sees_custody_compliance(scope),
        reconcile_payments=can_reconcile_payments(scope),
        access_log=sees_an_access_log(scope),
        my_cases=follows_cases(scope),
        station_dashboard=sees_station_dashboard(scope),
        my_notices=issues_notices(scope),
        alerts_register=sees_alerts_register(scope),
        crime_figures=sees_some_crime_figures(scope),
        refugee_register=reads_refugee_register(scope),
        refugee_figures=sees_refugee_figures(scope),
        occurrence_book=uses_the_occurrence_book(scope),
        deployments=sees_readiness_board(scope),
    )


def station_filter(scope: Scope) -> dict[str, object] | None:
    """The lookup that limits a query of records to what the scope may see.

    ``None`` means nothing may be seen; an empty dict means everything.
    """
    if scope.is_national:
        return {}
    if Role.COMMANDER in scope.roles and scope.county_code is not None:
        return {"station__county_id": scope.county_code}
    if scope.roles & STATION_ROLES and scope.station_id is not None:
        return {"station_id": scope.station_id}
    if scope.roles & STATION_ROLES and scope.station_code:
        return {"station__code": scope.station_code}
    return None


def needs_second_factor(scope: Scope, *, required_for: Iterable[str]) -> bool:
    """Whether signing in takes a one-time code too: a role that sees or signs much needs it."""
    required = set(required_for)
    return any(role.value in required for role in scope.roles)
