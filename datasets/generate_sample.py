"""Generate the PMO Kit sample portfolio in ``datasets/sample`` (deterministic).

Kestrel Industries, a fictional maker of pumps and valves in the fictional European country of
Vestria, runs eleven projects in three programmes. This script declares their plans (WBS,
tasks, links, resources, assignments), computes the baseline, simulates a year of monthly
status (2025-11 to 2026-10) and risk-register snapshots, and writes the CSV files that
:func:`pmo_lib.load_portfolio` reads. The same seed gives the same files, byte for byte.

1. Plans (:data:`PLANS`): phases (WBS level 1) of work packages (level 2) of tasks (level 3),
   a milestone at every phase gate; sprint phases hold sprints of user stories closed by a
   review milestone, kanban phases hold streams of work items.
2. Baseline: the early dates of :func:`pmo_lib.schedule.cpm` over the links (FS, SS, FF, SF
   with lags), each project released at its start date, in working-day offsets from the
   earliest project start on the sample's :class:`pmo_lib.calendar.WorkCalendar` (so a
   milestone falls on the day its predecessor finishes, as everywhere in PMO Kit).
3. Progress: each project has a *progress clock*. At each status date the clock is set so that
   earned value / planned value meets the month's target SPI (the project's story), and every
   task is as far along as its baseline says at that clock reading, less a small per-task
   delay that is passed on to its successors (again with :func:`~pmo_lib.schedule.cpm`).
   Actual cost accrues with earned value at a monthly cost factor solved to meet the target
   CPI. Both only grow, so percent complete and actual cost never decrease.
4. Agile and governance data, drawn from a separate random stream (so the files above do not
   change when this part does): backlog items from the plans' user stories and Kanban items
   with their tasks' actual dates, three-week sprints and release plans
   (:func:`agile_tables`); gate due dates, the deliverables register, stakeholders and the
   lessons-learned register (:func:`governance_tables`).
5. The 2027 planning round, from its own random stream (:func:`planning_tables`): the
   proposals of :data:`CANDIDATES` with their yearly costs and role demand per quarter, the
   budget per year (:data:`PLANNING_BUDGET`) and the capacity each role has free for new
   projects (its capacity less the running projects' baseline demand).

Run ``python datasets/generate_sample.py [--out DIR] [--summary]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from pmo_lib import evm, load_portfolio
from pmo_lib.calendar import WorkCalendar
from pmo_lib.resources import demand as resources_demand
from pmo_lib.schedule import cpm

SEED = 20251031
OUT = Path(__file__).resolve().parent / "sample"
PORTFOLIO_NAME = "Kestrel Industries change portfolio"
CURRENCY = "EUR"
WORKWEEK = ("Mon", "Tue", "Wed", "Thu", "Fri")
MONTHS = pd.period_range("2025-11", "2026-10", freq="M")  # the twelve status months
HOLIDAY_YEARS = range(2024, 2029)
#: Vestria's public holidays: fixed (month, day, name) and Easter-based (days after Easter).
FIXED_HOLIDAYS = [(1, 1, "New Year's Day"), (5, 1, "Labour Day"), (6, 14, "Republic Day"),
                  (8, 15, "Assumption Day"), (11, 1, "All Saints' Day"),
                  (12, 25, "Christmas Day"), (12, 26, "St Stephen's Day")]
EASTER_HOLIDAYS = [(-2, "Good Friday"), (1, "Easter Monday"), (39, "Ascension Day"),
                   (50, "Whit Monday")]
#: How consecutive tasks of a work package are linked: (kind, probability).
LINK_MIX = [("FS", 0.70), ("FS+", 0.08), ("FS-", 0.08), ("SS", 0.08), ("FF", 0.06)]
#: Target cumulative SPI and CPI for 2025-11 .. 2026-10, by story (others: on track).
STORIES = {
    "slipping": (np.linspace(0.97, 0.79, 12), np.full(12, 0.97)),
    "overspending": (np.full(12, 1.0), np.interp(range(12), [0, 7, 11], [0.97, 0.82, 0.79])),
    "recovering": (np.array([.97, .95, .92, .89, .86, .85, .87, .90, .92, .94, .96, .97]),
                   np.array([.97, .95, .92, .89, .86, .85, .87, .89, .92, .94, .96, .97])),
    "watch": (np.array([.97, .96, .95, .94, .93, .92, .92, .93, .93, .94, .94, .95]),
              np.full(12, 0.98)),
}
RECOVERY_COMMENT = ("Recovery plan approved by the steering committee: backlog re-sequenced, "
                    "two contract developers added, release scope trimmed")
STATUS_COMMENTS = {
    "slipping": ["Mock load errors; rerun planned", "Waiting for key users (month-end close)",
                 "Integrator consultant replaced; handover in progress",
                 "Defect backlog above the exit criteria"],
    "overspending": ["Supplier invoice above PO: steel surcharge", "Overtime to hold the "
                     "installation dates", "Change order CO-07: extra safety guarding",
                     "Crane hire extended"],
    "recovering": ["Customisation redesign in progress", "Velocity below plan",
                   "Extra developers onboarded", "On the re-planned track"],
    "default": ["On track", "Waiting for sign-off", "Minor defects being fixed",
                "Dependency confirmed with the other team"],
}

# Resources: role | cost rate [EUR/d] | department | names ("name*N": capacity N, default 1).
# They get the IDs R01, R02, ... in this order.
RESOURCES = """
Project Manager | 950 | PMO | Ingrid Halvorsen; Tomas Brandt; Amara Okafor; Lukas Meier
Business Analyst | 720 | IT | Sofia Lindqvist; Mateo Rossi
Business Analyst | 710 | Finance | Hanna Kowalska*0.8
Developer | 650 | IT | Jonas Weber; Priya Nair; Erik Johansson
Developer | 660 | Digital | Chloé Martin; Daniel Novak
Developer | 480 | External | Nearshore development team*4
Tester | 560 | IT | Laura Fischer
Tester | 550 | Digital | Omar Haddad
Tester | 520 | External | Test automation team*2
Architect | 1050 | IT | Viktor Petrov
Architect | 1080 | Digital | Elena García
Engineer | 790 | Engineering | Marek Dvořák; Anna Schulz
Engineer | 760 | Operations | Kofi Mensah
Technician | 420 | Operations | Plant technician crew*3
Data Engineer | 710 | Data | Nina Berg; Felix Wagner
Scrum Master | 770 | Digital | Julia Santos; Henrik Olsen
Product Owner | 820 | Customer Service | Clara Dubois
Product Owner | 800 | Sales | Samuel Ncube
UX Designer | 640 | Digital | Mia Horvat
Consultant | 1250 | External | Integrator consultants (Avanto)*5
Cloud Engineer | 810 | IT | Lars Nilsson; Zeynep Aydın
Security Analyst | 850 | IT Security | Robert Kim; Eva Novotná
Trainer | 520 | HR | Paula Moreau
Change Manager | 760 | HR | Giulia Conti
Buyer | 600 | Procurement | Pieter de Vries
Compliance Analyst | 740 | Finance | Sara Ahmed
"""

# The projects. A line "key: value" (indented lines continue it):
#   project: id | name | programme | methodology | start | manager | sponsor | priority | story
#            | budget reserve (fraction on top of the task budgets)
#   phase: name | work packages | activities | duration lo-hi [d] | roles | gate [| options]
#     activities: templates with {} (the work package), "*N" (N user stories per sprint; the
#     sprints run one after the other, each closed by a review milestone) or "~N" (N kanban
#     items per stream). A work package "!name" is a legacy system run in parallel (FS from
#     the phase start, SF from the phase's first task). Options: "after=1,2" (the gates the
#     phase waits for; default the previous phase), "serial" (work packages one after the
#     other), "fixed=lo-hi" (fixed cost of each task [EUR]).
#   backlog: user stories or work items, in order
#   risk: category | title | strategy | response | flags (raised:YYYY-MM closes:YYYY-MM
#         occurs:YYYY-MM unowned rising)
PLANS = """
project: ERP | ERP replacement | Digital Core | waterfall | 2025-04-01 | Ingrid Halvorsen | Chief
    Financial Officer | 1 | slipping | 0.08
about: Replace the 1998 ERP with a cloud ERP for finance, supply chain and production across both
    plants.
phase: Mobilisation and blueprint | Finance; Procurement; Sales and distribution; Inventory and
    warehouse; Production planning; Plant maintenance | Fit-gap workshops: {}; Write blueprint: {};
    Sign off blueprint: {} | 10-20 | Business Analyst, Consultant, Architect | Blueprint approved
phase: Realisation | Finance; Procurement; Sales and distribution; Inventory and warehouse;
    Production planning; Plant maintenance | Configure {}; Develop reports and extensions: {};
    Build interfaces: {}; Unit test {} | 40-70 | Consultant, Developer, Tester | Realisation
    complete
phase: Data migration | Customer master; Supplier master; Material master; Bills of material; Open
    purchase orders; Open sales orders; General-ledger balances; Fixed assets | Map and cleanse {};
    Build load programs: {}; Mock load 1: {}; Mock load 2: {} | 35-60 | Data Engineer, Business
    Analyst | Data migration ready | after=1
phase: Testing | System integration test cycle 1; System integration test cycle 2; Performance
    test; Security and authorisation test; User acceptance test | Prepare {}; Execute {}; Fix
    defects from {} | 25-45 | Tester, Consultant, Developer | Test exit approved | after=2,3
phase: Training and change | Finance users; Warehouse users; Production planners; Buyers | Prepare
    training material for {}; Train {} | 15-30 | Trainer, Change Manager | Users trained | after=2
phase: Deployment | Cutover rehearsal; Production cutover; Hypercare; !Run legacy finance system in
    parallel | Plan {}; Execute {} | 15-30 | Consultant, Project Manager, Data Engineer | ERP live
    and handed over | after=4,5 serial
risk: Technical | Poor legacy data quality may make mock loads fail and delay cutover | mitigate |
    Data-quality clinics with business owners; a third mock load | occurs:2026-03
risk: Resource | Key users tied up in month-end close may miss test cycles, delaying UAT | accept |
    | rising
risk: Supplier | Integrator may rotate senior consultants off the project, slowing configuration |
    mitigate | Named-consultant clause enforced in the contract
risk: Requirements | Late changes to the chart of accounts may force rework of finance
    configuration | avoid | Chart of accounts frozen at blueprint sign-off | closes:2026-02
risk: Technical | Interfaces to the plant MES may not meet the nightly batch window | mitigate |
    Early performance test of the MES interface | raised:2026-01
risk: Financial | Licence true-up at go-live may exceed the budget | transfer | Fixed-price licence
    cap negotiated | unowned

project: DCM | Data-centre migration to cloud | Digital Core | waterfall | 2025-03-03 | Lukas Meier
    | Chief Information Officer | 2 | finished | 0.06
about: Move 240 servers from the Aldersund data centre to a public-cloud landing zone and close the
    data centre.
phase: Assessment and design | Application inventory; Network design; Landing zone design; Security
    design; Backup design | Analyse {}; Document {} | 6-12 | Architect, Cloud Engineer | Design
    approved
phase: Landing zone build | Network and firewalls; Identity and access; Backup and monitoring;
    Landing zone hardening | Build {}; Test {} | 8-15 | Cloud Engineer, Security Analyst | Landing
    zone ready
phase: Migration waves | Wave 1 file and print; Wave 2 web servers; Wave 3 databases; Wave 4 ERP
    infrastructure; Wave 5 manufacturing systems | Plan {}; Migrate {}; Verify {} | 10-20 | Cloud
    Engineer, Tester | All waves migrated | serial
phase: Decommissioning | Old data-centre racks; Legacy storage array; Co-location contract; !Keep
    legacy data centre on warm standby | Plan decommissioning: {}; Decommission {} | 5-10 | Cloud
    Engineer, Project Manager | Data centre closed
risk: Technical | Undocumented dependencies between legacy servers may break applications after a
    wave | mitigate | Dependency mapping tool and wave rehearsals | closes:2026-04
risk: Supplier | Cloud provider capacity in the region may be short for wave 5 | transfer |
    Reserved capacity in the enterprise agreement | closes:2026-03
risk: Financial | Egress charges during migration may exceed the estimate | accept | Monitor
    monthly; reserve held by the programme | closes:2026-06
risk: Regulatory | Data residency review may reject the chosen region | avoid | EU region only; DPO
    sign-off obtained | closes:2025-12

project: DAT | Enterprise data platform | Digital Core | kanban | 2025-06-02 | Tomas Brandt | Chief
    Information Officer | 4 | on_track | 0.07
about: A cloud data warehouse and governed data products for finance, supply chain and customers.
phase: Platform foundation | Cloud data warehouse; Ingestion framework; Data catalogue | Design {};
    Build {}; Harden {} | 10-25 | Data Engineer, Architect | Platform live
phase: Data products | Finance stream; Supply-chain stream; Customer stream | ~8 | 20-35 | Data
    Engineer, Business Analyst | First data products released
phase: Operate and scale | Data-quality monitoring; Self-service BI roll-out; Data governance
    operating model | Implement {}; Roll out {} | 30-50 | Data Engineer, Trainer | Platform in
    steady state
backlog: General-ledger journal pipeline; Accounts payable data product; Cash-flow forecast
    dataset; Cost-centre hierarchy; Budget vs actual mart; Intercompany reconciliation feed;
    Fixed-asset register feed; Profitability by product line; Inventory snapshot pipeline; Supplier
    performance mart; Purchase order history; Demand forecast inputs; Stock ageing report;
    Warehouse movements feed; Bill-of-material history; Production yield dataset; Customer master
    golden record; Sales orders data product; Service tickets feed; Web analytics ingestion;
    Customer lifetime value model; Churn indicators; Pricing history; Consent and preferences feed
risk: Resource | Only two data engineers know the ingestion framework | mitigate | Pair programming
    and runbooks; third engineer hired in Q1
risk: Technical | Source system APIs may throttle nightly extracts | mitigate | Incremental loads
    and off-peak windows | closes:2026-05
risk: Requirements | Business definitions of 'net sales' differ between units | escalate | Raised
    to the data governance board | raised:2026-02
risk: Financial | Consumption-based warehouse costs may grow faster than usage | accept |  |
    raised:2026-04

project: HRP | HR and payroll SaaS | Digital Core | hybrid | 2025-09-01 | Amara Okafor | Chief
    People Officer | 7 | watch | 0.05
about: Replace the in-house payroll with a SaaS HR suite (core HR, payroll, time, recruiting).
phase: Requirements and design | Core HR; Payroll; Time and attendance; Recruiting | Gather
    requirements: {}; Design {} | 10-20 | Business Analyst, Change Manager | Design signed off
phase: Configuration sprints | Sprint 1; Sprint 2; Sprint 3; Sprint 4; Sprint 5; Sprint 6; Sprint
    7; Sprint 8 | *3 | 10-15 | Consultant, Developer, Tester | Configuration complete
phase: Parallel payroll and go-live | Parallel payroll run 1; Parallel payroll run 2; Go-live
    preparation; !Run legacy payroll in parallel | Prepare {}; Complete {} | 20-40 | Consultant,
    Business Analyst, Tester | HR suite live | serial
backlog: Employee records; Organisation structure; Pay elements; Tax tables; Pension schemes; Shift
    patterns; Overtime rules; Absence types; Approval workflows; Recruiting pipeline; Offer
    letters; Onboarding checklist; Payslip layout; Bank file export; GL posting; Time clock
    integration; Manager self-service; Employee self-service; Benefits enrolment; Expense claims;
    Performance reviews; Learning catalogue; Org chart; HR reporting pack
risk: Regulatory | New pension law from 2026-07 may change payroll rules | mitigate | Vendor
    roadmap confirmed; rules configurable | raised:2026-01
risk: Resource | Payroll team cannot release staff for parallel runs in December | accept |
    Parallel runs moved after year-end | unowned
risk: Supplier | SaaS vendor release cycle may break our integrations | mitigate | Regression pack
    run on every vendor release

project: APP | Customer mobile app | Customer Experience | scrum | 2025-09-01 | Tomas Brandt |
    Chief Commercial Officer | 3 | on_track | 0.06
about: A mobile app for distributors: catalogue, ordering, order tracking and service requests,
    built in three-week sprints.
phase: Discovery | User research; UX prototypes; Architecture runway | Plan {}; Deliver {} | 8-15 |
    UX Designer, Product Owner, Architect | Discovery complete
phase: Release 1 MVP | Sprint 1; Sprint 2; Sprint 3; Sprint 4; Sprint 5; Sprint 6; Sprint 7 | *3 |
    8-15 | Developer, Tester, Scrum Master | Release 1 in app stores
phase: Release 2 self-service | Sprint 8; Sprint 9; Sprint 10; Sprint 11; Sprint 12; Sprint 13;
    Sprint 14 | *3 | 8-15 | Developer, Tester, Scrum Master | Release 2 in app stores
phase: Release 3 service | Sprint 15; Sprint 16; Sprint 17; Sprint 18; Sprint 19; Sprint 20 | *3 |
    8-15 | Developer, Tester, UX Designer | Release 3 in app stores
backlog: Log in with company account; Browse product catalogue; Search by part number; View price
    list; Create basket; Place order; Order confirmation e-mail; Track order status; Push
    notifications; Offline catalogue; Reorder from history; Download invoices; Delivery address
    book; Split deliveries; Credit limit check; Quote requests; Product datasheets; Spare-parts
    finder; Scan QR code on pump; Service request form; Attach photos to request; Technician visit
    booking; Warranty lookup; Chat with support; Accessibility fixes; Dark mode; Analytics events;
    Crash reporting; App store assets; Security hardening; Performance tuning; Localisation:
    German; Localisation: French; Loyalty points; Promotions banner; Distributor dashboard; Sales
    rep mode; Multi-account switch; Biometric login; Data export; Usage tips; Feedback form;
    Release notes screen; In-app survey; Order approval by buyer; Back-order alerts; Stock
    availability; Delivery slot choice; Proof of delivery; Price change alerts; Service history;
    Pump sizing calculator; Favourite products; Bulk order upload
risk: Technical | App store review may reject the release for payment rules | mitigate |
    Pre-submission review with store guidelines
risk: Resource | Nearshore team turnover may slow the sprints | mitigate | Two overlapping
    developers per feature | raised:2026-03
risk: Requirements | Distributors may not adopt ordering in the app | enhance | Pilot with five key
    distributors; incentives | raised:2026-01
risk: Technical | Opportunity: reuse of the portal API layer could save two sprints | exploit |
    Shared API backlog with the portal team | raised:2026-02 closes:2026-07

project: WEB | Customer self-service portal | Customer Experience | scrum | 2025-07-01 | Amara
    Okafor | Chief Commercial Officer | 5 | on_track | 0.06
about: A web portal where customers manage orders, invoices, documents and service cases.
phase: Inception | Customer journeys; Design system; Portal architecture | Define {}; Review {} |
    8-15 | UX Designer, Architect, Product Owner | Inception complete
phase: Portal increments | Sprint 1; Sprint 2; Sprint 3; Sprint 4; Sprint 5; Sprint 6; Sprint 7;
    Sprint 8; Sprint 9; Sprint 10; Sprint 11; Sprint 12; Sprint 13; Sprint 14 | *3 | 8-15 |
    Developer, Tester, Scrum Master | Portal feature complete
phase: Launch | Beta with pilot customers; Public launch | Prepare {}; Run {} | 30-50 | Product
    Owner, Tester, Developer | Portal launched | serial
backlog: Customer registration; Single sign-on; Account overview; Order history; Order tracking;
    Invoice download; Payment status; Document library; Certificates of conformity; Service case
    creation; Case status; Returns request; Product registration; Installed base view; Maintenance
    reminders; User management; Role-based access; Notification centre; Search; Contact us; Cookie
    consent; Accessibility audit fixes; Analytics; Load testing; Content management;
    Multi-language; Price lookup; Quote acceptance; Credit notes; Delivery notes; Dispute invoice;
    Export to CSV; Audit log; Session timeout; Password reset; Terms acceptance; Help centre;
    Portal branding; Uptime monitoring; Security review fixes
risk: Technical | CRM API may not be ready for the service-case features | mitigate | Mock API and
    contract tests with the CRM team
risk: Regulatory | Accessibility law requires WCAG 2.1 AA by launch | avoid | Accessibility built
    into the design system | closes:2026-06
risk: Resource | UX designer shared with the app project |  |  | unowned
risk: Supplier | Hosting provider price increase announced for 2026 | accept | Absorb within
    reserve | raised:2026-01

project: CRM | CRM roll-out | Customer Experience | hybrid | 2025-06-02 | Lukas Meier | Chief
    Commercial Officer | 2 | recovering | 0.08
about: One CRM for sales, service and marketing across Vestria and export markets.
phase: Design | Sales process; Service process; Marketing process; Data model | Map {}; Design {} |
    10-18 | Business Analyst, Consultant | Design approved
phase: Build sprints | Sprint 1; Sprint 2; Sprint 3; Sprint 4; Sprint 5; Sprint 6; Sprint 7; Sprint
    8; Sprint 9; Sprint 10; Sprint 11; Sprint 12 | *3 | 10-15 | Consultant, Developer, Tester |
    Build complete
phase: Integration and migration | ERP customer interface; Portal API; E-mail platform; Legacy
    contact data | Build {}; Test {} | 15-30 | Developer, Data Engineer, Tester | Integrations
    ready | after=2
phase: Roll-out | Pilot sales region; Service desk; Export sales; Marketing team | Train {}; Go
    live: {} | 15-25 | Trainer, Change Manager, Consultant | CRM rolled out | after=3 serial
backlog: Account and contact management; Lead capture; Opportunity pipeline; Quote builder; Product
    catalogue sync; Sales forecasting; Territory management; Activity tracking; Outlook
    integration; Case management; Service entitlements; SLA timers; Knowledge base; Field service
    scheduling; Campaign management; E-mail templates; Segmentation; Consent tracking; Dashboards
    for sales managers; Mobile CRM; Duplicate detection; Data import tools; Approval rules; Audit
    and field history; Partner accounts; Price agreements; Complaint handling; Survey after case
    closure; Marketing lists; Lead scoring; Service reports; Export markets currencies; Contract
    renewals; Spare-parts quotes; Customer health score; Sales playbooks
risk: Technical | Customisations exceed the platform limits and need redesign | mitigate |
    Architecture review board and re-plan of the build | occurs:2026-02
risk: Resource | Integrator team too small for the backlog | escalate | Two contract developers
    approved in the recovery plan | closes:2026-05
risk: Requirements | Sales and service disagree on the account model | avoid | Single account model
    decided by the sponsor | closes:2026-01
risk: Technical | Legacy contact data has 30 % duplicates | mitigate | Duplicate detection and
    cleansing sprint
risk: Financial | Recovery plan may need more reserve than approved | accept |  | raised:2026-04
    unowned

project: PLT | Plant 2 assembly line | Operations and Compliance | v-model | 2025-06-02 | Ingrid
    Halvorsen | Chief Operating Officer | 1 | overspending | 0.1
about: A new automated assembly line for the VX pump range in the Brenvik plant (capacity +40 %).
phase: Requirements | Line capacity; Safety; Quality inspection; Utilities | Specify {}; Review {}
    | 8-15 | Engineer, Business Analyst | Requirements baselined
phase: System and detailed design | Layout; Conveyors; Robot cells; Control system; Vision
    inspection | Design {}; Design review: {} | 12-25 | Engineer, Architect | Design frozen
phase: Procurement and fabrication | Conveyors; Robot cells; Control cabinets; Vision cameras;
    Tooling | Tender for {}; Fabricate {}; Factory acceptance test: {} | 30-60 | Buyer, Engineer |
    Equipment delivered | fixed=20000-150000
phase: Installation | Foundations and utilities; Conveyors; Robot cells; Control cabinets; Vision
    cameras | Install {}; Commission {} | 10-25 | Technician, Engineer | Line installed |
    fixed=5000-40000
phase: Verification | Unit verification; Integration verification; System validation | Plan {};
    Execute {}; Close findings from {} | 10-20 | Engineer, Tester | Line validated | serial
    fixed=10000-60000
phase: Ramp-up | Operator training; Pilot production; Rate increase | Prepare {}; Run {} | 20-35 |
    Engineer, Trainer, Technician | Line at full rate | serial fixed=10000-80000
risk: Financial | Steel and copper surcharges may raise equipment prices | mitigate | Index-linked
    contracts capped at 5 % | occurs:2026-01
risk: Supplier | Robot cell supplier may slip delivery by six weeks | mitigate | Weekly expediting
    call; penalty clause
risk: Technical | Floor load in hall B may be insufficient for the press | avoid | Structural
    survey and reinforced foundations | closes:2025-12
risk: Resource | Contractor electricians paid overtime to hold the dates | accept |  |
    raised:2026-02 rising
risk: Regulatory | CE marking of the integrated line may need a notified body | transfer |
    Integrator responsible for CE file

project: REG | Sustainability and regulatory reporting | Operations and Compliance | waterfall |
    2025-05-05 | Amara Okafor | Chief Financial Officer | 2 | on_track | 0.05
about: Meet the EU sustainability reporting rules (CSRD/ESRS) and automate statutory regulatory
    returns.
phase: Double materiality and gap analysis | Climate; Pollution; Workforce; Business conduct;
    Supply chain | Assess {}; Agree data points for {} | 8-16 | Compliance Analyst, Business
    Analyst | Materiality approved
phase: Data collection design | Energy and emissions; Waste and water; HR indicators; Supplier data
    | Specify sources for {}; Build collection for {}; Test {} | 20-40 | Data Engineer, Compliance
    Analyst | Collection ready | after=1
phase: Reporting build | ESRS disclosures; Statutory returns; Assurance evidence | Design {}; Build
    {}; Dry run {} | 25-45 | Developer, Compliance Analyst | Reporting ready
phase: First reporting cycle | Year-end close; Limited assurance | Prepare {}; Complete {} | 40-60
    | Compliance Analyst, Project Manager | First report filed | serial
risk: Regulatory | ESRS guidance may change before the first report | accept | Watch list with the
    auditor
risk: Supplier | Suppliers may not return Scope 3 data on time | mitigate | Supplier portal and
    default emission factors
risk: Requirements | Assurance provider may reject estimated data points | mitigate | Early dry run
    with the assurance provider | raised:2026-03
risk: Resource | Compliance analyst is a single point of failure | mitigate | Second analyst
    trained | closes:2026-08

project: WMS | Warehouse automation | Operations and Compliance | v-model | 2026-03-02 | Lukas
    Meier | Chief Operating Officer | 6 | started | 0.07
about: Automated small-parts store and a warehouse management system for the central warehouse.
phase: Requirements | Storage capacity; Picking process; ERP interface; Safety | Specify {}; Review
    {} | 8-15 | Engineer, Business Analyst | Requirements approved
phase: Design | Shuttle store layout; WMS configuration; Interfaces; Fire protection | Design {};
    Approve design of {} | 10-20 | Architect, Engineer | Design frozen
phase: Build and install | Shuttle store; Conveyors; WMS software; Interfaces | Procure {}; Install
    {}; Test {} | 15-30 | Engineer, Technician, Developer | Installation complete |
    fixed=20000-120000
phase: Integration and go-live | ERP integration; Stock migration; Operator training | Prepare {};
    Execute {} | 15-25 | Developer, Trainer, Tester | Warehouse live | serial
risk: Supplier | Shuttle store lead time may be 26 weeks instead of 20 | mitigate | Early order
    with deposit | raised:2026-03
risk: Technical | WMS interface depends on the delayed ERP go-live | escalate | Interim interface
    to the legacy ERP | raised:2026-04
risk: Resource | Warehouse staff needed for design during peak season | accept |  | raised:2026-05
    unowned
risk: Regulatory | Fire-protection approval for the high-bay store | mitigate | Fire engineer
    engaged | raised:2026-06

project: SEC | Cyber-security hardening | Operations and Compliance | kanban | 2025-05-05 | Tomas
    Brandt | Chief Information Officer | 3 | on_track | 0.05
about: NIS2 readiness: identity, endpoint, OT network segmentation and security operations.
phase: Assessment | NIS2 gap analysis; OT asset inventory | Run {}; Report {} | 10-20 | Security
    Analyst, Architect | Roadmap approved
phase: Hardening backlog | Identity stream; Endpoint stream; OT network stream | ~10 | 25-40 |
    Security Analyst, Cloud Engineer, Engineer | Hardening complete
phase: Security operations | SOC onboarding; Incident response exercise | Set up {}; Run {} | 20-40
    | Security Analyst | Security operations live
backlog: Multi-factor authentication for all users; Privileged access vault; Joiner-mover-leaver
    automation; Conditional access policies; Service account clean-up; Single sign-on for legacy
    apps; Access recertification; Endpoint detection roll-out; Disk encryption; Patch compliance;
    USB control; Application allow-listing; Mobile device management; Browser hardening; OT network
    segmentation design; Firewall between IT and OT; Remote access for machine vendors; OT
    monitoring sensors; Backup of PLC programs; OT incident playbook; Vulnerability scanning of OT;
    Security awareness training; Phishing simulation; E-mail authentication (DMARC); Secure
    configuration baselines; Log retention; SIEM use cases; Third-party risk reviews; Backup
    immutability; Network access control
risk: Technical | Segmenting the OT network may stop production lines | mitigate | Changes in
    planned maintenance windows only
risk: Regulatory | NIS2 transposition may add reporting duties | accept | Legal watch |
    closes:2026-09
risk: Resource | Security analysts pulled into incident response | accept |  | unowned
risk: Supplier | Machine vendors may refuse the new remote-access tool | escalate | Contract
    addendum via procurement | raised:2026-02
"""
_HEADER = ("id", "name", "programme", "methodology", "start", "manager", "sponsor", "priority",
           "story", "budget_reserve")

# Cross-project links: (pred project, pred ref, succ project, succ ref, type, lag [d]).
# A ref is a task's WBS code or "G<n>", the gate milestone of phase n.
CROSS_LINKS = [
    ("DCM", "G2", "SEC", "2.1.3", "FS", 0),
    ("DCM", "G2", "DAT", "1.1.2", "FS", 0),
    ("DCM", "3.4.3", "ERP", "4.1.2", "FS", 0),
    ("DCM", "G1", "ERP", "2.1.3", "SS", 5),
    ("ERP", "G1", "HRP", "1.1.1", "FS", 0),
    ("ERP", "G2", "DAT", "2.1.3", "FS", -10),
    ("ERP", "G2", "REG", "3.2.1", "FS", 0),
    ("DAT", "G1", "REG", "2.1.2", "FS", 0),
    ("DAT", "2.2.3", "REG", "3.1.2", "SS", 5),
    ("ERP", "2.3.3", "CRM", "3.1.1", "FS", 0),
    ("CRM", "3.2.2", "WEB", "3.1.2", "FS", 0),
    ("APP", "1.3.2", "WEB", "2.1.1", "SS", 0),
    ("WEB", "G1", "APP", "2.1.1", "FS", 0),
    ("PLT", "G4", "WMS", "3.2.2", "FS", 0),
    ("ERP", "4.2.2", "WMS", "4.1.1", "FS", 0),
    ("SEC", "2.3.2", "PLT", "5.2.2", "FF", 0),
]


# ----------------------------------------------------------------------------------------
# Calendar and plans
# ----------------------------------------------------------------------------------------
def _easter(year: int) -> pd.Timestamp:
    """Easter Sunday (Gregorian calendar; the anonymous Meeus/Jones/Butcher algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    h = (19 * a + b - d - (8 * b + 13) // 25 + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return pd.Timestamp(year, month, day + 1)


def holidays() -> pd.DataFrame:
    """Vestria's public holidays (columns date, name), sorted by date."""
    rows = [(pd.Timestamp(y, m, d), name) for y in HOLIDAY_YEARS for m, d, name in FIXED_HOLIDAYS]
    rows += [(_easter(y) + pd.Timedelta(days=off), name) for y in HOLIDAY_YEARS
             for off, name in EASTER_HOLIDAYS]
    return pd.DataFrame(rows, columns=["date", "name"]).sort_values("date", ignore_index=True)


def status_dates(cal: WorkCalendar) -> pd.DatetimeIndex:
    """The data date of each status month: its last working day."""
    first_of_next = pd.Series((MONTHS + 1).to_timestamp())
    return pd.DatetimeIndex(cal.add_working_days(first_of_next, -1))


def parse_resources(text: str = RESOURCES) -> pd.DataFrame:
    """The resources declared in :data:`RESOURCES`."""
    rows = []
    for line in text.strip().splitlines():
        role, rate, dept, names = (x.strip() for x in line.split("|"))
        for name in names.split(";"):
            name, _, cap = name.strip().partition("*")
            rows.append((f"R{len(rows) + 1:02d}", name, role, float(cap or 1), float(rate), dept))
    return pd.DataFrame(rows, columns=COLUMNS["resources"])


def parse_plans(text: str = PLANS) -> list[dict]:
    """The projects declared in :data:`PLANS`, one dict each."""
    lines: list[str] = []
    for raw in text.strip().splitlines():
        if raw.startswith(" "):
            lines[-1] += " " + raw.strip()
        elif raw:
            lines.append(raw)
    projects: list[dict] = []
    for line in lines:
        key, _, value = line.partition(": ")
        if key == "project":
            spec = dict(zip(_HEADER, (v.strip() for v in value.split("|")), strict=True))
            spec.update(priority=int(spec["priority"]), phases=[], risks=[], backlog=[],
                        budget_reserve=float(spec["budget_reserve"]))
            projects.append(spec)
        elif key == "about":
            projects[-1]["description"] = value
        elif key == "backlog":
            projects[-1]["backlog"] = [b.strip() for b in value.split(";")]
        else:
            projects[-1][key + "s"].append(_parse_phase(value) if key == "phase" else value)
    return projects


def _parse_phase(line: str) -> dict:
    name, wps, acts, dur, roles, gate, *opts = (p.strip() for p in line.split("|"))
    opts = dict(o.split("=") if "=" in o else (o, "") for o in (opts[0].split() if opts else []))
    return dict(name=name, wps=[w.strip() for w in wps.split(";")],
                acts=[a.strip() for a in acts.split(";")],
                lo=int(dur.split("-")[0]), hi=int(dur.split("-")[1]),
                roles=[r.strip() for r in roles.split(",")], gate=gate, serial="serial" in opts,
                after=[int(a) for a in opts["after"].split(",")] if "after" in opts else None,
                fixed=tuple(int(x) for x in opts["fixed"].split("-")) if "fixed" in opts else None)


class _Plan:
    """The tasks, WBS elements and links of one project, added as they are declared."""

    def __init__(self, spec: dict, rng: np.random.Generator):
        self.pid, self.rng = spec["id"], rng
        self.tasks: list[dict] = []
        self.wbs: list[dict] = []
        self.links: list[dict] = []
        self.refs: dict[str, str] = {}
        items = spec["backlog"]
        self.backlog = iter([*items, *(f"{x}: iteration 2" for x in items)])

    def task(self, name: str, wbs: str, duration: int, phase: dict, milestone=False) -> str:
        tid = f"{self.pid}-{len(self.tasks) + 1:04d}"
        self.tasks.append(dict(id=tid, project_id=self.pid, name=name, wbs=wbs,
                               duration=0 if milestone else int(duration), milestone=milestone,
                               roles=phase["roles"], fixed=phase["fixed"]))
        self.refs[wbs] = tid
        return tid

    def link(self, pred: str, succ: str, type_: str = "FS", lag: int = 0) -> None:
        self.links.append(dict(pred=pred, succ=succ, type=type_, lag=int(lag)))

    def duration(self, phase: dict) -> int:
        return int(self.rng.integers(phase["lo"], phase["hi"] + 1))

    def chain(self, pred: dict, succ: dict) -> None:
        """Link consecutive tasks of a work package with a varied type and lag; the
        successor never finishes before its predecessor."""
        kinds, probs = zip(*LINK_MIX, strict=True)
        kind, da = str(self.rng.choice(kinds, p=probs)), pred["duration"]
        if kind == "FS+":
            self.link(pred["id"], succ["id"], "FS", self.rng.integers(1, 6))
        elif kind == "FS-" and da > 3:
            lead = int(self.rng.integers(1, 4))
            succ["duration"] = max(succ["duration"], lead + 1)
            self.link(pred["id"], succ["id"], "FS", -lead)
        elif kind == "SS" and da > 3:
            lag = int(self.rng.integers(2, da))
            succ["duration"] = max(succ["duration"], da - lag + 1)
            self.link(pred["id"], succ["id"], "SS", lag)
        elif kind == "FF" and succ["duration"] <= da:
            self.link(pred["id"], succ["id"], "FF", self.rng.integers(0, 4))
        else:
            self.link(pred["id"], succ["id"])


def build_project(spec: dict, rng: np.random.Generator) -> _Plan:
    """Declare the WBS, tasks and links inside one project."""
    plan, gates = _Plan(spec, rng), []
    for p, ph in enumerate(spec["phases"], start=1):
        plan.wbs.append(dict(project_id=plan.pid, wbs=str(p), name=ph["name"]))
        starts = [gates[a - 1] for a in (ph["after"] or ([p - 1] if p > 1 else []))]
        sprints = ph["acts"][0].startswith("*")
        ends, first = [], None
        for w, wp in enumerate(ph["wps"], start=1):
            code = f"{p}.{w}"
            plan.wbs.append(dict(project_id=plan.pid, wbs=code, name=wp.lstrip("!")))
            preds = ends[-1:] if (ph["serial"] or sprints) and ends else starts
            if wp.startswith("!"):  # the legacy system runs until after the cut-over starts
                tid = plan.task(wp[1:], f"{code}.1", 2 * ph["hi"], ph)
                for s in starts:
                    plan.link(s, tid)
                plan.link(first, tid, "SF", 10)
                ends.append(tid)
            elif sprints:  # stories in parallel, then the sprint review
                n = int(ph["acts"][0][1:])
                stories = [plan.task(next(plan.backlog), f"{code}.{k}",
                                     ph["hi"] if k == 1 else plan.duration(ph), ph)
                           for k in range(1, n + 1)]
                review = plan.task(f"{wp} review", f"{code}.{n + 1}", 0, ph, milestone=True)
                for s in stories:
                    for q in preds:
                        plan.link(q, s)
                    plan.link(s, review)
                first, ends = first or stories[0], [review]
            else:  # a chain of activities (or of kanban items)
                act = ph["acts"][0]
                names = ([next(plan.backlog) for _ in range(int(act[1:]))] if act[0] == "~"
                         else [a.format(wp) for a in ph["acts"]])
                for k, name in enumerate(names, start=1):
                    tid = plan.task(name, f"{code}.{k}", plan.duration(ph), ph)
                    if k == 1:
                        for q in preds:
                            plan.link(q, tid)
                    else:
                        plan.chain(plan.tasks[-2], plan.tasks[-1])
                first = first or plan.refs[f"{code}.1"]
                ends.append(tid)
        gate = plan.task(ph["gate"], f"{p}.{len(ph['wps']) + 1}", 0, ph, milestone=True)
        for e in ends:
            plan.link(e, gate)
        plan.refs[f"G{p}"] = gate
        gates.append(gate)
    return plan


def assign(tasks: pd.DataFrame, resources: pd.DataFrame, rng) -> tuple[pd.DataFrame, list]:
    """Assignments (task_id, resource_id, units) and task budgets: duration x sum(units x
    cost rate), give or take a few percent, plus fixed costs [EUR]."""
    by_role = {role: g for role, g in resources.groupby("role")}
    rows, budgets = [], []
    for t in tasks.itertuples(index=False):
        if t.milestone:
            budgets.append(0.0)
            continue
        fixed = (rng.uniform(*t.fixed) if t.fixed else
                 rng.uniform(1000, 25000) if rng.random() < 0.2 else 0.0)
        if rng.random() < 0.06:  # bought-in work: no internal resources, a fixed price
            budgets.append(round(fixed + rng.uniform(8000, 60000), 2))
            continue
        labour = 0.0
        for role in [t.roles[0]] + [r for r in t.roles[1:] if rng.random() < 0.6]:
            res = by_role[role].iloc[int(rng.integers(len(by_role[role])))]
            units = float(rng.choice([1.0, 2.0, 3.0]) if res["capacity"] > 1
                          else rng.choice([0.5, 1.0], p=[0.4, 0.6]))
            rows.append((t.id, res["id"], units))
            labour += t.duration * units * res["cost_rate"]
        budgets.append(round(labour * rng.uniform(0.97, 1.05) + fixed, 2))
    asg = pd.DataFrame(rows, columns=["task_id", "resource_id", "units"])
    asg = asg.drop_duplicates(["task_id", "resource_id"]).sort_values(["task_id", "resource_id"])
    return asg.reset_index(drop=True), budgets


# ----------------------------------------------------------------------------------------
# Progress and cost
# ----------------------------------------------------------------------------------------
def _targets(story: str, rng) -> tuple[np.ndarray, np.ndarray]:
    """Target cumulative SPI and CPI of the twelve months."""
    if story in STORIES:
        spi, cpi = STORIES[story]
        return spi + rng.normal(0, 0.004, 12), cpi + rng.normal(0, 0.004, 12)
    wave = np.sin(np.arange(12) / 2 + rng.uniform(0, 6))
    if story == "finished":  # never behind, so it completes when its baseline does
        return 1.0 + np.abs(0.02 * wave), 0.99 + 0.01 * wave
    return (1.0 + 0.02 * wave + rng.normal(0, 0.008, 12),
            1.0 + 0.02 * np.roll(wave, 3) + rng.normal(0, 0.008, 12))


def _delays(tasks: pd.DataFrame, links: pd.DataFrame, rng) -> np.ndarray:
    """A small delay per task [d], passed on to successors in the same project unless the
    baseline has slack to absorb it: the early start with each task released at its delayed
    baseline start, over the links inside the projects, less the baseline start."""
    jitter = np.where(rng.random(len(tasks)) < 0.4, rng.integers(1, 4, len(tasks)), 0)
    jitter = np.where(tasks["milestone"], 0, jitter)
    project = tasks.set_index("id")["project_id"]
    inside = links[links["pred"].map(project) == links["succ"].map(project)]
    es = tasks["es"].to_numpy(float)
    late = cpm(tasks[["id", "duration"]], inside, release=es + jitter)
    return late["early_start"].to_numpy(float) - es


def _fraction(clock, before, es, dur, delay, milestone):
    """Fraction of each task done at the end of a day, given the project's progress clock (the
    baseline offset it has reached) at the end of that day and of the day ``before``. A task
    starts the day after the clock reaches its (delayed) baseline start, so a successor starts
    the day after its predecessor finishes; a milestone is reached the day the clock reaches
    its offset, the day its predecessor finishes (the engine's convention)."""
    started = before - delay >= es
    done = np.where(started, np.clip((clock - delay - es) / np.maximum(dur, 1), 0, 1), 0.0)
    return np.where(milestone, (clock - delay >= es).astype(float), done)


def _clock(es, dur, bud, dl, ms, project_start: int, t_m, spi) -> tuple[list, list]:
    """Anchor points (day, clock reading) where EV/PV meets the target SPI at each status date
    (bisection; the clock never runs backwards and is linear between anchors)."""
    days, clock = [project_start - 1], [float(project_start)]
    x_done = float(np.max(es + dur + dl)) + 1

    def ev(x, tm):
        before = clock[-1] + (x - clock[-1]) * (tm - 1 - days[-1]) / (tm - days[-1])
        return bud @ _fraction(x, before, es, dur, dl, ms)

    for tm, target in zip(t_m, spi, strict=True):
        if tm < project_start:
            continue
        lo, hi = clock[-1], max(2 * x_done, clock[-1])
        pv = bud @ np.clip((tm + 1 - es) / np.maximum(dur, 1), 0, 1)
        goal = min(target * pv, ev(hi, tm))  # at most: everything done
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if ev(mid, tm) >= goal else (mid, hi)
        days.append(tm)
        clock.append(hi)
    return days, clock


def simulate(tasks: pd.DataFrame, links: pd.DataFrame, projects: pd.DataFrame,
             cal: WorkCalendar, epoch: pd.Timestamp, rng) -> pd.DataFrame:
    """Status rows (one per started task per status date)."""
    sdates = status_dates(cal)
    t_m = np.asarray(cal.date_to_offset(pd.Series(sdates), epoch))
    delay, cost_noise = _delays(tasks, links, rng), rng.uniform(0.9, 1.1, len(tasks))
    rows = []
    for proj in projects.itertuples(index=False):
        idx = np.flatnonzero(tasks["project_id"].to_numpy() == proj.id)
        t = tasks.iloc[idx]
        es, dur, bud = (t[c].to_numpy(float) for c in ("es", "duration", "budget"))
        ms, dl, ids = t["milestone"].to_numpy(bool), delay[idx], t["id"].to_numpy()
        spi, cpi = _targets(proj.story, rng)
        anchors = _clock(es, dur, bud, dl, ms, cal.date_to_offset(proj.start_date, epoch),
                         t_m, spi)
        days = np.arange(t_m[-1] + 1)
        clock, before = (np.interp(d, *anchors, left=-np.inf) for d in (days, days - 1))
        begin = np.where(ms, np.searchsorted(clock, es + dl, side="left"),  # milestone: day
                         np.searchsorted(before, es + dl, side="left"))  # first day of work
        end = np.maximum(begin, np.searchsorted(clock, es + dl + dur, side="left"))
        ac, ev_before = np.zeros(len(idx)), np.zeros(len(idx))
        comments = STATUS_COMMENTS.get(proj.story, STATUS_COMMENTS["default"])
        for m, (tm, sd) in enumerate(zip(t_m, sdates, strict=True)):
            frac = _fraction(clock[tm], before[tm], es, dur, dl, ms)
            spend = (bud * frac - ev_before) * cost_noise[idx]
            if spend.sum() > 0:  # cost factor of this month's work, to meet the target CPI
                factor = ((bud @ frac) / cpi[m] - ac.sum()) / spend.sum()
                ac = ac + np.clip(factor, 0.5, 2.0) * spend
            ev_before = bud * frac
            live = np.flatnonzero((frac > 0) & (frac < 1))
            noted = rng.choice(live, size=min(2, len(live)), replace=False) if len(live) else []
            for i in np.flatnonzero(frac > 0):
                done = frac[i] >= 1
                note = comments[int(rng.integers(len(comments)))] if i in noted else ""
                if proj.story == "recovering" and MONTHS[m] == pd.Period("2026-04", "M"):
                    note = RECOVERY_COMMENT
                rows.append(dict(
                    status_date=sd, task_id=ids[i],
                    percent_complete=100.0 if done else min(max(round(100 * frac[i], 1), .1),
                                                            99.9),
                    actual_cost=round(float(ac[i]), 2),
                    actual_start=min(begin[i], tm),
                    actual_finish=min(end[i], tm) if done else None,
                    remaining_duration=None if ms[i] else 0.0 if done else
                    round(dur[i] * (1 - frac[i]) / max(spi[m], 0.5), 1),
                    comment=note))
    status = pd.DataFrame(rows)
    for col in ("actual_start", "actual_finish"):
        known = status[col].notna()
        dates = pd.Series(pd.NaT, index=status.index, dtype="datetime64[ns]")
        dates[known] = cal.offset_to_date(status.loc[known, col].astype(int).to_numpy(), epoch)
        status[col] = dates
    return status.sort_values(["status_date", "task_id"], ignore_index=True)


def risk_register(specs: list[dict], tasks: pd.DataFrame, assignments: pd.DataFrame,
                  resources: pd.DataFrame, sdates: pd.DatetimeIndex, rng) -> pd.DataFrame:
    """Monthly snapshots of every project's risks, evolving as the responses work."""
    person = resources[resources["capacity"] <= 1].set_index("id")["name"]
    rows = []
    for spec in specs:
        pid, own = spec["id"], tasks[tasks["project_id"] == spec["id"]]
        team = assignments.loc[assignments["task_id"].isin(own["id"]), "resource_id"]
        owners = [spec["manager"], *sorted(set(team[team.isin(person.index)].map(person)))]
        first = max(MONTHS[0], pd.Period(spec["start"], "M"))
        for k, line in enumerate(spec["risks"], start=1):
            category, title, strategy, response, *rest = (x.strip() for x in line.split("|"))
            flags = dict(f.split(":") if ":" in f else (f, "") for f in
                         (rest[0].split() if rest else []))
            raised = pd.Period(flags.get("raised", str(first)), "M")
            occurs, closes = (pd.Period(flags[f], "M") if f in flags else None
                              for f in ("occurs", "closes"))
            prob, cost = rng.uniform(0.25, 0.6), own["budget"].sum() * rng.uniform(0.01, 0.06)
            delay = float(rng.integers(5, 40))
            owner = "" if "unowned" in flags else owners[int(rng.integers(len(owners)))]
            todo = own[~own["milestone"]]
            later = todo[todo["baseline_finish"] > sdates[MONTHS.get_loc(raised)]]
            todo = later if len(later) else todo
            picks = rng.choice(len(todo), size=min(int(rng.integers(1, 4)), len(todo)),
                               replace=False)
            affected, state = ";".join(sorted(todo["id"].iloc[picks])), "open"
            for month, sd in zip(MONTHS, sdates, strict=True):
                if month < raised:
                    continue
                if month == occurs:
                    state, prob = "occurred", 1.0
                elif month == closes:
                    state = "closed"
                rows.append(dict(
                    status_date=sd, id=f"{pid}-R{k:02d}", project_id=pid, title=title,
                    category=category, probability=round(prob, 2), cost_impact=round(cost, -2),
                    schedule_impact=round(delay), owner=owner, response_strategy=strategy,
                    response=response, state=state, affected_tasks=affected))
                if state == "closed":
                    break
                if state == "open":
                    if "rising" in flags:
                        prob = min(0.9, prob * rng.uniform(1.05, 1.15))
                    elif response and strategy not in ("accept", "escalate"):
                        prob *= rng.uniform(0.86, 0.97)
                        delay = max(1.0, delay * rng.uniform(0.9, 1.0))
                    else:
                        prob = min(0.9, prob * rng.uniform(0.97, 1.04))
                    cost *= rng.uniform(0.96, 1.05)
    return pd.DataFrame(rows).sort_values(["status_date", "id"], ignore_index=True)


# ----------------------------------------------------------------------------------------
# Agile delivery and governance data (a separate random stream: the draws above are unchanged)
# ----------------------------------------------------------------------------------------
#: Stream of ``np.random.default_rng([seed, DELIVERY_STREAM])``, used for the tables below.
DELIVERY_STREAM = 1
#: Sprint timebox of the Scrum teams: three weeks, Monday to Friday of the third week [days].
SPRINT_DAYS, SPRINT_SPAN = 21, 18
#: Story-point scale of the Scrum teams.
FIBONACCI = (1, 2, 3, 5, 8, 13, 21)
#: Unplanned work items added during the sprints or the flow (bugs, requests).
UNPLANNED = {
    "sprint": ["Bug: {} fails on older Android phones", "Bug: rounding error in {}",
               "Change request: extra field in {}", "Bug: slow response in {}",
               "Spike: performance of {}", "Change request: wording and labels in {}",
               "Bug: session lost during {}", "Tech debt: refactor {}"],
    "kanban": ["Request: new column in {}", "Fix: failed overnight load of {}",
               "Request: access for a new team to {}", "Fix: duplicate records in {}",
               "Request: extra filter on {}", "Fix: alert noise from {}",
               "Audit finding: evidence for {}", "Request: documentation of {}"],
}
#: Template gates mapped onto each project's phase gates: gate id -> phase number, whose
#: gate milestone gives the due date (0: the project start, for the gate authorising it).
GATE_MAP = {
    "ERP": "G1:0 G2:1 G3:1 G4:2 G5:4 G6:6",
    "DCM": "G1:0 G2:1 G3:1 G4:3 G5:3 G6:4",
    "REG": "G1:0 G2:1 G3:2 G4:3 G5:3 G6:4",
    "PLT": "G1:0 SRR:1 PDR:2 CDR:2 TRR:4 QR:5 G7:6",
    "WMS": "G1:0 SRR:1 PDR:2 CDR:2 TRR:3 QR:4 G7:4",
    "APP": "funding:1 release_1_decision:2 release_2_decision:3",
    "WEB": "funding:1 release_1_decision:2 release_2_decision:3",
    "DAT": "system_approval:1 pilot_exit:2 service_acceptance:3",
    "SEC": "system_approval:1 pilot_exit:2 service_acceptance:3",
    "CRM": "G1:0 funding:1 release_1_decision:2 release_2_decision:3 G6:4",
    "HRP": "G1:0 funding:1 release_1_decision:2 release_2_decision:3 G6:3",
}
#: The executives who sponsor the projects (projects.sponsor is their title).
EXECUTIVES = {"Chief Financial Officer": "Helena Strand",
              "Chief Information Officer": "Marcus Lindgren",
              "Chief People Officer": "Beatrix Vogel",
              "Chief Commercial Officer": "Rafael Moreno",
              "Chief Operating Officer": "Karin Aalto"}
#: People (resources) who hold a template role, by project; other roles get invented names.
ROLE_HOLDERS = {
    "product_owner": {"APP": "Clara Dubois", "WEB": "Clara Dubois", "CRM": "Samuel Ncube",
                      "HRP": "Paula Moreau"},
    "scrum_master": {"APP": "Julia Santos", "WEB": "Henrik Olsen", "CRM": "Julia Santos",
                     "HRP": "Henrik Olsen"},
    "solution_architect": {"ERP": "Viktor Petrov", "DCM": "Viktor Petrov",
                           "REG": "Elena García"},
    "business_analyst": {"ERP": "Sofia Lindqvist", "REG": "Hanna Kowalska",
                         "DCM": "Mateo Rossi"},
    "test_manager": {"ERP": "Laura Fischer", "REG": "Laura Fischer", "PLT": "Omar Haddad",
                     "WMS": "Laura Fischer", "DCM": "Omar Haddad"},
    "systems_engineer": {"PLT": "Marek Dvořák", "WMS": "Anna Schulz"},
    "development_lead": {"PLT": "Kofi Mensah", "WMS": "Jonas Weber"},
    "service_delivery_manager": {"DAT": "Nina Berg", "SEC": "Robert Kim"},
}
#: Groups that hold a role.
ROLE_GROUPS = {"developers": "Development team", "team": "Delivery team",
               "stakeholders": "Business stakeholders"}
#: Role id -> (influence, interest) on the 1-5 scales, before a little noise.
ROLE_GRID = {"sponsor": (5, 4), "senior_user": (4, 5), "senior_supplier": (4, 3),
             "project_manager": (4, 5), "pmo": (3, 3), "project_assurance": (3, 3),
             "service_owner": (3, 4), "product_owner": (4, 5), "scrum_master": (2, 4),
             "developers": (2, 4), "team": (2, 4), "customer": (4, 5),
             "customer_representative": (4, 5), "quality_manager": (4, 3),
             "service_request_manager": (3, 5), "service_delivery_manager": (3, 5)}
#: Stakeholders outside the template roles: name | role | organisation | influence | interest.
OTHER_STAKEHOLDERS = """
Works council | Employee representatives | Works council | 3 | 3
Internal audit | Auditor | Internal Audit | 4 | 2
Data protection officer | Data protection officer | Legal | 3 | 2
Key users | Key users | Business units | 2 | 5
IT service desk | Service desk | IT | 1 | 4
Group controlling | Controller | Finance | 3 | 2
Health and safety officer | Health and safety | Operations | 3 | 2
"""
#: Invented names for role holders who are not resources.
FIRST_NAMES = ("Astrid Maja Linnea Petra Oskar Viggo Emil Nora Johan Freya Leon Ida Matteo "
               "Selma Aksel Vera Bruno Liv Ruben Tilde Anton Greta Milan Sanna").split()
LAST_NAMES = ("Eklund Varga Haas Lund Moretti Berglund Kovač Sandberg Richter Falk Nyberg "
              "Bauer Lindahl Horvath Dahl Winter Holm Kessler Strom Fontaine").split()

# Lessons learned: project | phase (template phase id) | category | date | lesson |
# recommendation.
LESSONS = """
DCM | design | Technical | 2025-04-10 | The application inventory missed 18 servers that only the
    plant teams knew about. | Reconcile the inventory with network flow logs and the plant
    teams before the design gate.
DCM | build | Supplier | 2025-06-20 | The landing zone was delayed two weeks waiting for the cloud
    provider's enterprise agreement. | Sign the commercial agreement before the build stage
    starts; make it an entry criterion of the gate.
DCM | test | Testing | 2025-10-02 | Wave rehearsals on a copy of production caught most cut-over
    errors. | Rehearse every migration wave on production-like data and time the rehearsal.
DCM | deployment | Governance | 2026-04-15 | Decommissioning was faster because the co-location
    contract notice was given early. | Give notice on contracts as soon as the last wave date is
    baselined.
DCM | closure | Resource | 2026-05-12 | Cloud engineers were released to other projects before the
    hypercare period ended. | Keep a named engineer for four weeks after the last wave.
ERP | requirements | Requirements | 2025-06-18 | Fit-gap workshops ran without the plant
    controllers, so costing gaps surfaced during realisation. | Invite every process owner to the
    fit-gap workshops and record who signed the blueprint.
ERP | build | Supplier | 2025-12-05 | The integrator rotated two senior consultants off the project
    and the handover cost three weeks. | Put a named-key-staff clause in the integrator contract.
ERP | build | Data | 2026-03-20 | Mock load 1 failed on material master data nobody owned. | Name
    a data owner per object at blueprint and start cleansing before realisation.
ERP | test | Testing | 2026-07-08 | Key users were not available during month-end close, so test
    cycles slipped. | Plan test cycles around the finance calendar and agree user time with line
    managers.
ERP | build | Governance | 2026-09-15 | The realisation gate was passed on a plan that already
    assumed two mock loads would succeed. | Do not pass a gate on a forecast; ask for evidence of
    the exit criteria.
REG | requirements | Stakeholders | 2025-06-25 | The double materiality assessment was faster with
    the auditor in the workshops. | Involve the assurance provider from the first workshop.
REG | design | Data | 2025-11-28 | Suppliers returned Scope 3 data in twelve different formats. |
    Send a template and a supplier portal link with the request.
REG | build | Testing | 2026-08-20 | A dry run of the ESRS disclosures found estimated data points
    the assurance provider would not accept. | Run a dry run with the assurance provider six
    months before the first filing.
PLT | requirements | Requirements | 2025-07-15 | Quality inspection requirements were written
    without the vision supplier and had to be redone. | Review requirements with the suppliers who
    will verify them.
PLT | system_design | Technical | 2025-09-20 | The floor load survey of hall B avoided a costly
    foundation redesign. | Survey buildings before freezing the layout.
PLT | implementation | Supplier | 2026-02-10 | Steel surcharges were passed on in full because the
    contracts had no index cap. | Use index-linked prices with a cap in equipment contracts.
PLT | integration_testing | Financial | 2026-07-20 | Overtime to hold the installation dates was
    not in the budget. | Hold a schedule reserve in the plan rather than buying time with overtime.
WMS | requirements | Stakeholders | 2026-04-08 | Warehouse staff could not attend design reviews
    in peak season. | Schedule warehouse workshops outside the peak months.
WMS | system_design | Regulatory | 2026-06-30 | The fire-protection approval took longer than the
    design itself. | Engage the fire engineer and the authority at requirements.
APP | inception | Requirements | 2025-10-10 | Research with five distributors changed the MVP:
    reordering mattered more than the catalogue. | Test the MVP scope with real users before
    funding.
APP | release_1 | Technical | 2026-03-12 | The app store rejected the first submission for payment
    rules. | Book a pre-submission review with the store guidelines in the release plan.
APP | release_1 | Governance | 2026-03-25 | Velocity stabilised only after the team fixed the
    sprint length at three weeks. | Keep the sprint length fixed; change scope, not the
    timebox.
APP | release_2 | Resource | 2026-06-18 | Nearshore team turnover slowed two sprints. | Pair new
    developers with experienced ones on every feature.
WEB | inception | Technical | 2025-08-05 | A shared design system with the app saved time in every
    later sprint. | Build the design system in inception and share it across products.
WEB | release_1 | Testing | 2026-02-18 | Accessibility defects were found late by an external
    audit. | Add accessibility checks to the Definition of Done.
WEB | release_2 | Stakeholders | 2026-09-10 | Pilot customers found the service-case forms too
    long. | Run a beta with pilot customers before each public release.
CRM | inception | Requirements | 2025-07-20 | Sales and service disagreed on the account model
    until the sponsor decided. | Escalate cross-department data model decisions to the sponsor
    early.
CRM | release_1 | Technical | 2026-02-25 | Customisations exceeded the platform limits and needed a
    redesign. | Have the architecture board review customisations before each sprint.
CRM | release_1 | Governance | 2026-04-30 | The recovery plan worked because scope was trimmed, not
    only people added. | Re-plan with the Product Owner: cut scope before adding people.
HRP | initiation | Regulatory | 2025-09-30 | The pension law change was spotted late in design. |
    Keep a regulatory watch list for payroll projects.
HRP | release_1 | Resource | 2026-01-15 | The payroll team could not release staff for parallel runs
    in December. | Plan parallel payroll runs outside the year-end close.
DAT | discovery | Stakeholders | 2025-07-01 | Business definitions of net sales differed between
    units. | Agree a business glossary before building the first data product.
DAT | steady_flow | Technical | 2026-05-20 | WIP limits of three per stream cut cycle time by a
    third. | Set explicit WIP limits per stream from the first week of flow.
SEC | discovery | Technical | 2025-06-12 | The OT asset inventory found PLCs without owners. | Make
    asset ownership part of the OT inventory.
SEC | steady_flow | Supplier | 2026-03-05 | Machine vendors refused the new remote-access tool until
    procurement changed their contracts. | Involve procurement before changing how vendors work.
SEC | steady_flow | Governance | 2026-08-12 | Expedited incident work pushed planned hardening items
    out; throughput halved for a month. | Reserve a class of service for incidents so planned
    work keeps flowing.
"""


def _last_workday(cal: WorkCalendar, dates) -> pd.Series:
    """The last working day on or before each date."""
    dates = pd.Series(pd.to_datetime(dates))
    return pd.Series(cal.add_working_days(dates + pd.Timedelta(days=1), -1), index=dates.index)


def _phase_kinds(spec: dict) -> dict[int, str]:
    """Phase number -> 'sprint' or 'kanban' for the agile phases of a project."""
    return {p: {"*": "sprint", "~": "kanban"}[ph["acts"][0][0]]
            for p, ph in enumerate(spec["phases"], start=1) if ph["acts"][0][0] in "*~"}


def _latest(status: pd.DataFrame) -> pd.DataFrame:
    """The last snapshot, by task: actual start and finish as known at the end of the data."""
    last = status["status_date"].max()
    return status[status["status_date"] == last].set_index("task_id")


def agile_tables(specs: list[dict], tasks: pd.DataFrame, status: pd.DataFrame,
                 cal: WorkCalendar, rng) -> dict[str, pd.DataFrame]:
    """Backlog items, sprints and release plans of the agile projects and phases.

    Each user story or Kanban item of the plan is a backlog item whose started and done
    dates are its task's actual start and finish (so velocity and throughput follow the
    project's story), plus unplanned items (bugs, requests) added along the way. Scrum
    teams work in fixed three-week sprints from the first story's start: a sprint's completed
    points are the items done in it, its commitment those plus the items started in its
    first week but left unfinished, its scope added the unplanned items created in it
    and its cost the actual cost of the agile phase accrued in it (interpolated between
    status dates).
    """
    last = status["status_date"].max()
    final = _latest(status)
    items, sprints, releases = [], [], []
    for spec in specs:
        kinds = _phase_kinds(spec)
        if not kinds:
            continue
        pid, kind = spec["id"], next(iter(kinds.values()))
        start = pd.Timestamp(spec["start"])
        phase = tasks["wbs"].str.split(".").str[0].astype(int)
        work = tasks[(tasks["project_id"] == pid) & phase.isin(list(kinds))]
        stories = work[~work["milestone"]]
        started = stories["id"].map(final["actual_start"])
        done = stories["id"].map(final["actual_finish"])
        first = started.min() if started.notna().any() else stories["baseline_start"].min()
        n = len(stories)
        if kind == "sprint":
            # Estimates follow the stories' cost (so AgileEVM agrees with EVM), roughly.
            size = stories["budget"].to_numpy() / np.median(stories["budget"]) * 5
            size = size * rng.lognormal(0, 0.25, n)
            scale = np.array(FIBONACCI)
            points = scale[np.abs(np.log(size[:, None] / scale[None, :])).argmin(axis=1)]
            s1 = first - pd.Timedelta(days=first.day_of_week)  # the Monday of the first start
            created = start + pd.to_timedelta(
                rng.uniform(0, 1, n) * max((s1 - start).days - 1, 0), unit="D")
        else:
            points = rng.choice([1, 2, 3, 5], n).astype(float)
            lead = pd.to_timedelta(rng.integers(3, 45, n), unit="D")
            later = start + pd.to_timedelta(rng.uniform(0, 1, n) * (last - start).days, unit="D")
            created = (started - lead).fillna(pd.Series(later, index=stories.index))
            created = created.clip(lower=start)
        created = _last_workday(cal, created.to_numpy()).to_numpy()
        reviewed = _review_dates(cal, started, done, last, rng)
        prefix = "US" if kind == "sprint" else "WI"
        planned = pd.DataFrame({
            "project_id": pid, "title": stories["name"].to_numpy(), "points": points,
            "created": created, "started": started.to_numpy(), "reviewed": reviewed,
            "done": done.to_numpy(), "task_id": stories["id"].to_numpy()})
        # The sprint timeboxes (Scrum), then the unplanned work inside them (or the flow).
        windows = []
        if kind == "sprint":
            end = done.max() if done.notna().all() else last
            k = 0
            while s1 + pd.Timedelta(days=SPRINT_DAYS * k) <= end:
                s = s1 + pd.Timedelta(days=SPRINT_DAYS * k)
                if s + pd.Timedelta(days=SPRINT_SPAN) > last:
                    break
                windows.append((s, s + pd.Timedelta(days=SPRINT_SPAN)))
                k += 1
            lo, hi = windows[0][0], windows[-1][1] - pd.Timedelta(days=20)
        else:
            lo, hi = first, last - pd.Timedelta(days=5)
        m = round(n * (0.15 if kind == "sprint" else 0.6))
        made = lo + pd.to_timedelta(np.sort(rng.uniform(0, 1, m)) * max((hi - lo).days, 1),
                                    unit="D")
        begin = made + pd.to_timedelta(rng.integers(1, 6, m), unit="D")
        finish = begin + pd.to_timedelta(rng.integers(2, 11, m), unit="D")
        made, begin, finish = (_last_workday(cal, d.to_numpy()) for d in (made, begin, finish))
        begin = begin.clip(lower=made)
        finish = finish.clip(lower=begin)
        begin, finish = begin.where(begin <= last), finish.where(finish <= last)
        finish = finish.where(begin.notna())
        templates = UNPLANNED[kind]
        subjects = stories["name"].to_numpy()
        extra = pd.DataFrame({
            "project_id": pid,
            "title": [templates[int(rng.integers(len(templates)))].format(
                str(subjects[int(rng.integers(n))]).split(":")[0].lower()) for _ in range(m)],
            "points": rng.choice([1, 2, 3], m).astype(float), "created": made.to_numpy(),
            "started": begin.to_numpy(), "reviewed": pd.NaT, "done": finish.to_numpy(),
            "task_id": None})
        extra["reviewed"] = _review_dates(cal, begin, finish, last, rng)
        both = pd.concat([planned, extra], ignore_index=True)
        both = both.sort_values(["created", "task_id"], kind="stable", ignore_index=True)
        both.insert(1, "id", [f"{pid}-{prefix}{i:03d}" for i in range(1, len(both) + 1)])
        both["state"] = np.select([both["done"].notna(), both["reviewed"].notna(),
                                   both["started"].notna()],
                                  ["done", "review", "in_progress"], "backlog")
        items.append(both)
        if kind != "sprint":
            continue
        # Cumulative actual cost of the agile phase, linear between status dates.
        ac = status[status["task_id"].isin(work["id"])].groupby("status_date")["actual_cost"] \
            .sum()
        xs = np.r_[(first - pd.Timedelta(days=1)).value,
                   pd.DatetimeIndex(ac.index).as_unit("ns").asi8]
        ys = np.r_[0.0, ac.to_numpy()]

        def cost_at(day, xs=xs, ys=ys):
            return float(np.interp(pd.Timestamp(day).value, xs, ys))

        for k, (s, f) in enumerate(windows, start=1):
            in_sprint = both["done"].between(s, f)
            # Commitment: the points done, plus the items left in progress at the end that
            # were started in the sprint's first week (planned to be finished in it).
            carried = (both["started"].between(s, s + pd.Timedelta(days=4))
                       & ~(both["done"] <= f))
            added = both["created"].between(s, f) & both["task_id"].isna()
            sprints.append(dict(
                project_id=pid, sprint=k, start=s, finish=f,
                committed_points=float(both.loc[in_sprint | carried, "points"].sum()),
                completed_points=float(both.loc[in_sprint, "points"].sum()),
                added_points=float(both.loc[added, "points"].sum()),
                actual_cost=round(cost_at(f) - cost_at(s - pd.Timedelta(days=1)), 2)))
        n_sprints = sum(len(spec["phases"][p - 1]["wps"]) for p in kinds)
        releases.append(dict(
            project_id=pid,
            planned_points=float(both.loc[both["created"] < windows[0][0], "points"].sum()),
            planned_sprints=n_sprints, bac=round(float(work["budget"].sum()), 2)))
    return dict(backlog=pd.concat(items, ignore_index=True), sprints=pd.DataFrame(sprints),
                releases=pd.DataFrame(releases))


def _review_dates(cal: WorkCalendar, started: pd.Series, done: pd.Series, last, rng):
    """Entered review a few working days before done (most items; some skip review), or
    recently for a few items still in progress."""
    started, done = pd.Series(started).reset_index(drop=True), \
        pd.Series(done).reset_index(drop=True)
    n = len(started)
    back = pd.Series(cal.add_working_days(done.fillna(last).to_numpy(),
                                          -rng.integers(1, 4, n)))
    reviewed = back.where(done.notna() & (rng.random(n) < 0.85))
    reviewed = reviewed.where(~(reviewed < started), started)
    waiting = started.notna() & done.isna() & (rng.random(n) < 0.25) & (started < last)
    reviewed[waiting] = last
    return reviewed.to_numpy()


def governance_tables(specs: list[dict], projects: pd.DataFrame, tasks: pd.DataFrame,
                      status: pd.DataFrame, cal: WorkCalendar, rng) -> dict[str, pd.DataFrame]:
    """Gate due dates, the deliverables register, stakeholders and lessons learned.

    A gate is due on the baseline date of the phase gate it is mapped to (:data:`GATE_MAP`)
    and reached when that milestone actually finishes. The deliverables of a reached gate
    were drafted, submitted and approved before it, by their Accountable role or the gate's
    approver, bar a few left unapproved or signed by the wrong person; the deliverables of a
    gate not yet reached are drafts or submitted as its due date nears (overdue if it is
    past: the slipping ERP's realisation gate).
    """
    from pmo_lib.methodology import list_templates, load_template

    templates = {t.methodology: t for t in map(load_template, list_templates())}
    last = status["status_date"].max()
    final = _latest(status)
    pool = iter(rng.permutation([f"{f} {s}" for f in FIRST_NAMES for s in LAST_NAMES]))
    others = [[x.strip() for x in line.split("|")]
              for line in OTHER_STAKEHOLDERS.strip().splitlines()]
    gates, register, people = [], [], []
    for spec in specs:
        pid, tpl = spec["id"], templates[spec["methodology"]]
        start = pd.Timestamp(spec["start"])
        gate_table = tpl.gates.set_index("id")
        accountable = tpl.deliverables.set_index("id")["accountable"]
        roles = set(tpl.roles["id"])
        # Stakeholders: every role that approves or is accountable at a gate, then others.
        needed = list(dict.fromkeys(
            [*gate_table["approver"], *accountable[[d for ds in gate_table["deliverables"]
                                                    for d in ds]]]))
        if "project_manager" in roles and "project_manager" not in needed:
            needed.insert(1, "project_manager")
        holder = {}
        for role in needed:
            if role == "sponsor":
                name, org = EXECUTIVES[spec["sponsor"]], spec["sponsor"]
            elif role == "project_manager":
                name, org = spec["manager"], "PMO"
            elif role in ROLE_GROUPS:
                name, org = f"{ROLE_GROUPS[role]} ({pid})", spec["name"]
            else:
                name = ROLE_HOLDERS.get(role, {}).get(pid) or next(pool)
                org = "Kestrel Industries"
            holder[role] = name
            inf, inter = ROLE_GRID.get(role, (3, 4))
            people.append(dict(project_id=pid, name=name, role=role,
                               organisation=org, influence=inf, interest=inter))
        target = int(rng.integers(max(6, len(needed) + 1), 13))
        picks = rng.permutation(len(others))[:max(0, target - len(needed))]
        for i in sorted(picks):
            name, role, org, inf, inter = others[i]
            people.append(dict(project_id=pid, name=name, role=role, organisation=org,
                               influence=int(inf), interest=int(inter)))
        # Gates and the register.
        for item in GATE_MAP[pid].split():
            gate, phase = item.split(":")
            if phase == "0":
                task_id, due = None, start
                reached = _last_workday(cal, [start - pd.Timedelta(
                    days=int(rng.integers(5, 20)))])[0]
            else:
                own = tasks[(tasks["project_id"] == pid) & tasks["milestone"]
                            & tasks["wbs"].str.fullmatch(rf"{phase}\.\d+")]
                task_id, due = own["id"].iloc[0], own["baseline_finish"].iloc[0]
                reached = final["actual_finish"].get(task_id, pd.NaT)
            gates.append(dict(project_id=pid, gate=gate, due_date=due, task_id=task_id))
            approver = gate_table.loc[gate, "approver"]
            for d in gate_table.loc[gate, "deliverables"]:
                right = holder.get(accountable[d], holder[approver])
                wrong = [h for r, h in holder.items()
                         if r not in (accountable[d], approver, *ROLE_GROUPS)]
                register += _history(pid, d, due, reached, last, right, wrong, cal, rng)
    stakeholders = pd.DataFrame(people)
    noise = rng.integers(-1, 2, (len(stakeholders), 2))
    for j, col in enumerate(("influence", "interest")):
        stakeholders[col] = np.clip(stakeholders[col] + noise[:, j], 1, 5)
    stakeholders.insert(0, "id", stakeholders.groupby("project_id").cumcount().add(1)
                        .map("{:02d}".format).radd(stakeholders["project_id"] + "-S"))
    deliverables = pd.DataFrame(register).drop_duplicates(["project_id", "deliverable", "date"],
                                                          keep="last")
    return dict(gates=pd.DataFrame(gates), deliverables=deliverables,
                stakeholders=stakeholders, lessons=lessons())


def _history(pid, deliverable, due, reached, last, right, wrong, cal, rng) -> list[dict]:
    """Register rows of one gate deliverable: draft, submitted, approved (or not yet)."""
    def row(status, days_before, anchor, who=None):
        day = _last_workday(cal, [anchor - pd.Timedelta(days=int(days_before))])[0]
        return dict(project_id=pid, deliverable=deliverable, status=status,
                    approved_by=who, date=min(day, last))

    r = rng.random()
    if pd.notna(reached):  # the gate was passed: drafted, submitted, approved before it
        rows = [row("draft", rng.integers(25, 60), reached),
                row("submitted", rng.integers(5, 15), reached)]
        if r < 0.06:
            return rows  # never approved: the gate went ahead without it
        if r < 0.13 and wrong:
            return [*rows, row("approved", rng.integers(0, 3), reached,
                               wrong[int(rng.integers(len(wrong)))])]
        status = "waived" if r < 0.16 else "approved"
        return [*rows, row(status, rng.integers(0, 3), reached, right)]
    begin = due - pd.Timedelta(days=int(rng.integers(40, 90)))
    if begin > last:
        return []  # not started yet
    rows = [row("draft", 0, begin)]
    if due - pd.Timedelta(days=15) <= last and r < 0.6:
        rows.append(row("submitted", rng.integers(0, 10), min(due, last)))
        if r < 0.2:
            rows.append(row("approved", 0, last, right))
    return rows


def lessons() -> pd.DataFrame:
    """The shared lessons-learned register (:data:`LESSONS`)."""
    lines: list[str] = []
    for raw in LESSONS.strip().splitlines():
        if raw.startswith(" "):
            lines[-1] += " " + raw.strip()
        else:
            lines.append(raw)
    rows = [[x.strip() for x in line.split("|")] for line in lines]
    df = pd.DataFrame(rows, columns=["project_id", "phase", "category", "date", "lesson",
                                     "recommendation"])
    df["date"] = pd.to_datetime(df["date"])
    df = df.sort_values(["date", "project_id"], kind="stable", ignore_index=True)
    df.insert(0, "id", [f"LL-{i:03d}" for i in range(1, len(df) + 1)])
    return df


# ----------------------------------------------------------------------------------------
# The whole portfolio
# ----------------------------------------------------------------------------------------
def build(seed: int = SEED) -> tuple[dict[str, pd.DataFrame], WorkCalendar]:
    """Every table of the sample portfolio (parsed dtypes), and its calendar."""
    rng = np.random.default_rng(seed)
    specs, hols = parse_plans(), holidays()
    cal = WorkCalendar(WORKWEEK, tuple(hols["date"]))
    plans = [build_project(spec, rng) for spec in specs]
    projects = pd.DataFrame(specs).drop(columns=["phases", "risks", "backlog"])
    projects["start_date"] = pd.to_datetime(projects["start"])
    tasks = pd.DataFrame([t for plan in plans for t in plan.tasks])
    refs = {(plan.pid, ref): tid for plan in plans for ref, tid in plan.refs.items()}
    links = pd.DataFrame([lk for plan in plans for lk in plan.links]
                         + [dict(pred=refs[(pp, pr)], succ=refs[(sp, sr)], type=ty, lag=lag)
                            for pp, pr, sp, sr, ty, lag in CROSS_LINKS])
    links = links.sort_values(["pred", "succ"], ignore_index=True)
    epoch = projects["start_date"].min()
    start = tasks["project_id"].map(projects.set_index("id")["start_date"])
    plan = cpm(tasks[["id", "project_id", "duration"]], links, calendar=cal, start=epoch,
               release=cal.date_to_offset(start, epoch)).loc[tasks["id"]]
    tasks["es"] = plan["early_start"].to_numpy()
    tasks["baseline_start"] = plan["start_date"].to_numpy()
    tasks["baseline_finish"] = plan["finish_date"].to_numpy()
    resources = parse_resources()
    assignments, tasks["budget"] = assign(tasks, resources, rng)
    projects["budget"] = (projects["id"].map(tasks.groupby("project_id")["budget"].sum())
                          * (1 + projects["budget_reserve"])).round(-3)
    status = simulate(tasks, links, projects, cal, epoch, rng)
    risks = risk_register(specs, tasks, assignments, resources, status_dates(cal), rng)
    tables = dict(projects=projects, wbs=pd.DataFrame([w for p in plans for w in p.wbs]),
                  tasks=tasks, links=links, resources=resources, assignments=assignments,
                  calendar=hols, status=status, risks=risks)
    stream = np.random.default_rng([seed, DELIVERY_STREAM])
    tables.update(agile_tables(specs, tasks, status, cal, stream))
    tables.update(governance_tables(specs, projects, tasks, status, cal, stream))
    tables["estimates"] = estimates(tasks, np.random.default_rng([seed, ESTIMATE_STREAM]))
    tables.update(planning_tables(tasks, assignments, resources, cal,
                                  np.random.default_rng([seed, PLANNING_STREAM])))
    return tables, cal


#: Random stream of the three-point estimates (apart, so no other table changes).
ESTIMATE_STREAM = 3


def estimates(tasks: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Three-point estimates of every task that takes time: right-skewed, as experience of
    real projects shows (overruns are larger than underruns; e.g. Flyvbjerg et al. 2003):
    optimistic 80-95 % of the most likely duration, pessimistic 105-145 %, rounded to whole
    working days; BetaPERT for most tasks, triangular for a quarter, uniform for the
    few with no most likely value (testing and integration work, 5 %)."""
    work = tasks[~tasks["milestone"] & (tasks["duration"] > 0)]
    d = work["duration"].to_numpy(dtype=float)
    n = len(work)
    low = np.minimum(np.floor(d * rng.uniform(0.80, 0.95, n)), d)
    high = np.maximum(np.ceil(d * rng.uniform(1.05, 1.45, n)), d)
    shape = rng.choice(np.array(["betapert", "triangular", "uniform"]), n, p=[0.7, 0.25, 0.05])
    return pd.DataFrame({"task_id": work["id"].to_numpy(), "duration_min": low,
                         "duration_max": high, "distribution": shape})


# ----------------------------------------------------------------------------------------
# The 2027 planning round
# ----------------------------------------------------------------------------------------
#: Random stream of the planning-round tables (apart, so no other table changes).
PLANNING_STREAM = 4
#: The planning periods: the quarters of the first planning year.
PLANNING_QUARTERS = pd.period_range("2027Q1", "2027Q4", freq="Q")
#: Money for new projects per year [EUR]: the funding envelope of the 2027 round.
PLANNING_BUDGET = {2027: 7_000_000, 2028: 5_500_000, 2029: 2_000_000}

# The proposals of the 2027 planning round. A line (indented lines continue it):
#   id | name | programme | sponsor | value [kEUR, NPV] | cost [kEUR] | share of the cost in
#   2027/2028/2029 [%] | strategic alignment, risk, urgency (1-5) | WSJF business value, time
#   criticality, risk reduction, job size | flags (mandatory, requires:X;Y, excludes:X) |
#   demand: "role units" from the quarter after "@" (default Q1) to 2027Q4 | description
CANDIDATES = """
MES | Manufacturing execution system | Operations and Compliance | Chief Operating Officer | 6800 |
    3600 | 45/40/15 | 5 4 4 | 20 13 8 20 | | Engineer 1, Developer 2, Consultant 1.5@Q2,
    Architect 0.5 | Shop-floor execution, genealogy and OEE for both plants, integrated with the new ERP.
IOT | Plant IoT sensor network and historian | Operations and Compliance | Chief Operating Officer
    | 800 | 1000 | 70/30/0 | 4 3 3 | 3 5 13 8 | | Engineer 0.5@Q2, Technician 1@Q2, Cloud Engineer 0.5,
    Data Engineer 0.5@Q3 | Sensors on the critical machines of both plants and a time-series
    historian in the cloud.
AIQ | AI visual quality inspection | Operations and Compliance | Chief Operating Officer | 3200 |
    1100 | 50/50/0 | 4 4 3 | 13 8 5 8 | requires:IOT | Data Engineer 1@Q3, Developer 1@Q3,
    Engineer 0.5@Q3 | Camera inspection of VX pump housings with a vision model, on the IoT
    platform.
PDM | Predictive maintenance | Operations and Compliance | Chief Operating Officer | 2300 | 900 |
    50/50/0 | 4 3 3 | 8 5 8 5 | requires:IOT | Data Engineer 1@Q3, Engineer 0.5@Q3 | Failure
    prediction for presses and CNC centres from the IoT sensor data.
DTW | Digital twin of the Plant 2 line | Operations and Compliance | Chief Operating Officer |
    1600 | 1500 | 40/60/0 | 3 5 2 | 5 3 5 13 | requires:IOT;MES | Data Engineer 1@Q3, Architect
    0.5@Q3, Engineer 0.5@Q3 | A simulation model of the new assembly line fed by MES and IoT
    data.
ESG | CSRD assurance and ESG data automation | Operations and Compliance | Chief Financial Officer
    | 400 | 750 | 70/30/0 | 3 2 5 | 3 20 8 5 | mandatory | Business Analyst 0.5, Consultant 0.5@Q2,
    Compliance Analyst 0.5@Q4 | Limited-assurance-ready ESG data: automated collection of energy,
    emissions and workforce data (required by the CSRD from the 2027 report).
EIN | E-invoicing for the B2B mandate | Digital Core | Chief Financial Officer | 500 | 650 |
    80/20/0 | 3 2 5 | 3 20 5 5 | mandatory | Developer 1, Business Analyst 0.5, Consultant 0.5 |
    Structured e-invoices to and from all customers and suppliers, required by Vestria's law
    from January 2028.
CPQ | Configure-price-quote SaaS | Customer Experience | Chief Commercial Officer | 3400 | 1200 |
    60/40/0 | 5 3 4 | 13 8 3 8 | excludes:CFG | Consultant 0.5, Developer 1, Business Analyst 0.3,
    Product Owner 0.5 | A CPQ cloud service for engineered pumps and valves, integrated with the
    CRM.
CFG | Portal product configurator | Customer Experience | Chief Commercial Officer | 2500 | 800 |
    70/30/0 | 4 3 3 | 8 8 3 5 | excludes:CPQ | Developer 2@Q2, UX Designer 0.5@Q2, Product
    Owner 0.5@Q2 | A configurator built into the customer portal: the in-house alternative to
    CPQ.
B2B | EDI and B2B hub for distributors | Customer Experience | Chief Commercial Officer | 1900 |
    800 | 70/30/0 | 4 2 3 | 8 5 3 5 | | Developer 1, Business Analyst 0.3 | Orders, dispatch
    advices and invoices exchanged electronically with the 40 largest distributors.
FSM | Field service management | Customer Experience | Chief Commercial Officer | 2400 | 1300 |
    55/45/0 | 4 3 3 | 8 5 3 8 | | Developer 1.5@Q2, Tester 1@Q2, Product Owner 0.5@Q2, UX
    Designer 0.3@Q2 | Scheduling and a mobile app for the service technicians.
LOY | Distributor loyalty programme | Customer Experience | Chief Commercial Officer | 800 | 550
    | 70/30/0 | 2 2 2 | 3 2 1 3 | | Developer 0.5@Q2, UX Designer 0.2@Q3 | Points and tiers for
    distributors in the portal and the app.
CHB | Customer-service chatbot | Customer Experience | Chief Commercial Officer | 900 | 400 |
    100/0/0 | 3 3 2 | 5 3 2 3 | requires:MDM | Data Engineer 0.5@Q3, Developer 0.5@Q3 | A chatbot
    answering order and product questions, on clean master data.
GEN | Generative-AI assistant for sales engineers | Customer Experience | Chief Commercial Officer
    | 1200 | 500 | 100/0/0 | 4 4 3 | 5 5 3 3 | | Data Engineer 0.5@Q3, Developer 0.5@Q2 | Answers
    from product manuals, test reports and past quotes.
MDM | Master data management | Digital Core | Chief Information Officer | 1500 | 800 | 60/40/0 |
    4 3 3 | 5 5 8 5 | | Data Engineer 1@Q3, Business Analyst 0.5 | One governed record for
    materials, customers and suppliers across ERP, CRM and the data platform.
APS | Advanced planning and scheduling | Digital Core | Chief Operating Officer | 2600 | 1400 |
    40/60/0 | 4 4 3 | 8 5 5 8 | requires:MES | Consultant 1.5@Q3, Business Analyst 0.5@Q3 |
    Finite-capacity production planning on top of the ERP and the MES.
RPA | Robotic process automation in finance | Digital Core | Chief Financial Officer | 950 | 450 |
    100/0/0 | 3 2 3 | 5 3 2 3 | | Developer 1, Business Analyst 0.3 | Software robots for
    supplier-invoice matching, bank reconciliation and intercompany postings.
LMS | Learning management system | Digital Core | Chief People Officer | 450 | 350 | 100/0/0 | 2
    1 2 | 2 2 1 2 | | Trainer 0.5@Q3, Change Manager 0.5@Q2, Developer 0.5@Q2 | Online courses
    and training records for all staff.
ZTN | Zero-trust network access | Operations and Compliance | Chief Information Officer | 1300 |
    900 | 60/40/0 | 4 3 4 | 5 8 13 5 | | Security Analyst 1, Cloud Engineer 1 | Identity-based
    access to every application, replacing the VPN.
SOC | Managed security operations centre | Operations and Compliance | Chief Information Officer
    | 1000 | 700 | 40/30/30 | 4 2 4 | 3 8 13 3 | | Security Analyst 0.5 | Round-the-clock
    monitoring and incident response by a managed provider.
SOL | Rooftop solar and energy monitoring | Operations and Compliance | Chief Operating Officer |
    1900 | 1700 | 70/30/0 | 3 2 2 | 5 2 3 8 | | Engineer 0.5@Q2, Technician 1@Q2, Buyer 0.5@Q2 |
    Solar panels on both plants' roofs and sub-metering of the main energy users.
TMS | Transport management system | Operations and Compliance | Chief Operating Officer | 1300 |
    700 | 60/40/0 | 3 2 3 | 5 3 2 5 | | Consultant 0.5@Q2, Business Analyst 0.3@Q2, Developer
    0.5@Q2 | Carrier selection, freight tendering and track-and-trace for outbound deliveries.
WH2 | Automated small-parts store in Brenvik | Operations and Compliance | Chief Operating Officer
    | 2100 | 2600 | 30/50/20 | 3 4 2 | 8 3 2 13 | | Engineer 0.5@Q3, Technician 1@Q3, Buyer
    0.5@Q3 | A second automated store, in the Brenvik plant, on the warehouse system of WMS.
"""
_CANDIDATE_HEADER = ("id", "name", "programme", "sponsor", "value", "cost", "split", "scores",
                     "wsjf", "flags", "demand", "description")


def parse_candidates(text: str = CANDIDATES) -> list[dict]:
    """The proposals declared in :data:`CANDIDATES`, one dict each."""
    lines: list[str] = []
    for raw in text.strip().splitlines():
        if raw.startswith(" "):
            lines[-1] += " " + raw.strip()
        else:
            lines.append(raw)
    out = []
    for line in lines:
        c = dict(zip(_CANDIDATE_HEADER, (x.strip() for x in line.split("|")), strict=True))
        flags = c["flags"].split()
        links = dict(f.split(":") for f in flags if ":" in f)
        demand = []
        for item in c["demand"].split(","):
            role, _, units = item.strip().rpartition(" ")
            units, _, quarter = units.partition("@")
            demand.append((role, float(units), quarter or "Q1"))
        out.append(dict(
            id=c["id"], name=c["name"], programme=c["programme"], sponsor=c["sponsor"],
            value=1000.0 * float(c["value"]), cost=1000.0 * float(c["cost"]),
            split=[float(x) / 100 for x in c["split"].split("/")],
            **dict(zip(("strategic_alignment", "risk", "urgency"),
                       map(int, c["scores"].split()), strict=True)),
            **dict(zip(("business_value", "time_criticality", "risk_reduction", "job_size"),
                       map(float, c["wsjf"].split()), strict=True)),
            mandatory="mandatory" in flags, requires=links.get("requires", ""),
            excludes=links.get("excludes", ""), demand=demand, description=c["description"]))
    return out


def free_capacity(tasks: pd.DataFrame, assignments: pd.DataFrame, resources: pd.DataFrame,
                  cal: WorkCalendar) -> pd.DataFrame:
    """Units of each role free for new projects in each 2027 quarter: the role's capacity
    less the running projects' baseline demand averaged over the quarter's working days,
    rounded down to half a person (never below 0)."""
    daily = resources_demand(tasks, assignments, cal, freq="D", by="role", resources=resources)
    pool = resources.groupby("role")["capacity"].sum()
    rows = []
    for quarter in PLANNING_QUARTERS:
        days = pd.date_range(quarter.start_time, quarter.end_time.normalize())
        work = days[cal.is_working_day(days)]
        used = (daily.reindex(work.to_period("D"), fill_value=0.0).mean()
                .reindex(pool.index, fill_value=0.0))
        free = np.maximum(np.floor((pool - used) * 2) / 2, 0.0)
        rows += [dict(role=role, period=str(quarter), units=float(units))
                 for role, units in free.items()]
    return pd.DataFrame(rows)


def planning_tables(tasks: pd.DataFrame, assignments: pd.DataFrame, resources: pd.DataFrame,
                    cal: WorkCalendar, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """The 2027 planning round: the proposals, their yearly costs (the declared split,
    give or take two points, rounded to EUR 1,000, the last year taking the remainder), their
    role demand per quarter (the declared units, give or take 20 % per quarter, rounded to
    tenths), the budget per year and the capacity free per role and quarter."""
    specs = parse_candidates()
    costs, demand = [], []
    for c in specs:
        split = np.array(c["split"])
        years = np.flatnonzero(split > 0)
        share = split[years] + rng.uniform(-0.02, 0.02, len(years)) * (len(years) > 1)
        amounts = np.round(c["cost"] * share / share.sum(), -3)
        amounts[-1] = c["cost"] - amounts[:-1].sum()
        costs += [dict(candidate_id=c["id"], year=2027 + int(y), cost=float(a))
                  for y, a in zip(years, amounts, strict=True)]
        for role, units, first in c["demand"]:
            for quarter in PLANNING_QUARTERS[PLANNING_QUARTERS >= pd.Period(f"2027{first}")]:
                need = round(units * rng.uniform(0.8, 1.2), 1)
                demand.append(dict(candidate_id=c["id"], period=str(quarter), role=role,
                                   units=need))
    candidates = pd.DataFrame(specs).drop(columns=["split", "demand"])
    budget = pd.DataFrame({"year": list(PLANNING_BUDGET),
                           "budget": [float(b) for b in PLANNING_BUDGET.values()]})
    return dict(candidates=candidates, candidate_costs=pd.DataFrame(costs),
                candidate_demand=pd.DataFrame(demand), planning_budget=budget,
                planning_capacity=free_capacity(tasks, assignments, resources, cal))


COLUMNS = {
    "projects": ["id", "name", "programme", "manager", "sponsor", "methodology", "start_date",
                 "budget", "priority", "description"],
    "wbs": ["project_id", "wbs", "name"],
    "tasks": ["id", "project_id", "name", "wbs", "duration", "baseline_start",
              "baseline_finish", "budget", "milestone"],
    "estimates": ["task_id", "duration_min", "duration_max", "distribution"],
    "links": ["pred", "succ", "type", "lag"],
    "resources": ["id", "name", "role", "capacity", "cost_rate", "department"],
    "assignments": ["task_id", "resource_id", "units"],
    "calendar": ["date", "name"],
    "status": ["status_date", "task_id", "percent_complete", "actual_cost", "actual_start",
               "actual_finish", "remaining_duration", "comment"],
    "risks": ["status_date", "id", "project_id", "title", "category", "probability",
              "cost_impact", "schedule_impact", "owner", "response_strategy", "response",
              "state", "affected_tasks"],
    "sprints": ["project_id", "sprint", "start", "finish", "committed_points",
                "completed_points", "added_points", "actual_cost"],
    "backlog": ["project_id", "id", "title", "points", "created", "started", "reviewed",
                "done", "state", "task_id"],
    "releases": ["project_id", "planned_points", "planned_sprints", "bac"],
    "gates": ["project_id", "gate", "due_date", "task_id"],
    "deliverables": ["project_id", "deliverable", "status", "approved_by", "date"],
    "stakeholders": ["id", "project_id", "name", "role", "organisation", "influence",
                     "interest"],
    "lessons": ["id", "project_id", "phase", "category", "lesson", "recommendation", "date"],
    "candidates": ["id", "name", "programme", "sponsor", "value", "cost",
                   "strategic_alignment", "risk", "urgency", "business_value",
                   "time_criticality", "risk_reduction", "job_size", "mandatory", "requires",
                   "excludes", "description"],
    "candidate_costs": ["candidate_id", "year", "cost"],
    "candidate_demand": ["candidate_id", "period", "role", "units"],
    "planning_budget": ["year", "budget"],
    "planning_capacity": ["role", "period", "units"],
}
#: Row order of the agile and governance tables (the others sort by their key columns).
SORT_KEYS = {"sprints": ["project_id", "sprint"], "backlog": ["project_id", "id"],
             "gates": ["project_id", "due_date", "gate"],
             "deliverables": ["project_id", "date", "deliverable"],
             "candidates": ["id"], "candidate_costs": ["candidate_id", "year"],
             "candidate_demand": ["candidate_id", "period", "role"],
             "planning_budget": ["year"], "planning_capacity": ["role", "period"]}


def _natural(column: pd.Series) -> pd.Series:
    """Sort key: WBS codes by their numbers ('1.10' after '1.9'), other columns as they are."""
    if column.name != "wbs":
        return column
    return column.map(lambda code: tuple(int(x) for x in code.split(".")))


def write(tables: dict[str, pd.DataFrame], out: Path) -> None:
    """Write the CSV files (ISO dates, sorted rows, no index) and portfolio.toml."""
    out.mkdir(parents=True, exist_ok=True)
    for name, cols in COLUMNS.items():
        key = SORT_KEYS.get(name) or [
            c for c in ("status_date", "project_id", "id", "wbs", "pred", "succ", "task_id",
                        "resource_id", "date") if c in cols and (c != "wbs" or name == "wbs")]
        df = tables[name][cols].sort_values(key, key=_natural, ignore_index=True)
        for col in df.columns:
            if pd.api.types.is_datetime64_any_dtype(df[col]):
                df[col] = df[col].dt.strftime("%Y-%m-%d")
            elif pd.api.types.is_bool_dtype(df[col]):
                df[col] = df[col].map({True: "true", False: "false"})
        df.to_csv(out / f"{name}.csv", index=False, lineterminator="\n")
    week = ", ".join(f'"{d}"' for d in WORKWEEK)
    (out / "portfolio.toml").write_text(
        f'name = "{PORTFOLIO_NAME}"\ncurrency = "{CURRENCY}"\nworkweek = [{week}]\n',
        encoding="utf-8")


def summary(tables: dict[str, pd.DataFrame], folder: Path) -> str:
    """SPI and CPI by project (rows) and month (columns), and the row counts, as text.

    Measured with :func:`pmo_lib.evm.project_performance` on the files just written.
    """
    portfolio = load_portfolio(folder)
    story = tables["projects"].set_index("id")["story"]
    perf = pd.concat({str(m)[2:]: evm.project_performance(portfolio, m)[["spi", "cpi"]]
                      for m in portfolio.months}, axis=1)
    parts = []
    for col in ("spi", "cpi"):
        wide = perf.xs(col, axis=1, level=1).round(2)
        wide.insert(0, "story", story)
        parts.append(f"{col.upper()} by month\n{wide.to_string(na_rep='-')}")
    return "\n\n".join([*parts, f"rows: { {k: len(v) for k, v in tables.items()} }"])


def main(argv: list[str] | None = None) -> int:
    """Write the sample (``--out DIR``); ``--summary`` prints SPI/CPI by project and month."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    parser.add_argument("--summary", action="store_true", help="print SPI/CPI by project")
    args = parser.parse_args(argv)
    tables, _ = build()
    write(tables, args.out)
    if args.summary:
        print(summary(tables, args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
