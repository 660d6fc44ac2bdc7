//! Who may do what, as one table: role × resource × target → the actions allowed.
//!
//! The tree is fixed and small: county C with towns T1 and T2. Each line of the table
//! is one (actor, resource, target) and one column per action, so every cell is one
//! (role, resource, action, target) → allowed (`Y`) or denied (`.`). The expected
//! table below was written by reasoning from the rules in DESIGN.md and
//! `domain::permission`, then checked against the code.

use minyi::domain::permission::{Action, ListFilter, Resource, Target, allowed, list_filter};
use minyi::domain::region::RegionPath;
use minyi::domain::user::{Actor, Role, Scope};

struct Place {
    name: &'static str,
    path: RegionPath,
    id: Option<&'static str>,
    unit_ids: Vec<String>,
}

fn c() -> RegionPath {
    RegionPath::root("C")
}
fn t1() -> RegionPath {
    c().child("T1")
}
fn t2() -> RegionPath {
    c().child("T2")
}

fn place(name: &'static str, path: RegionPath, id: Option<&'static str>, units: &[&str]) -> Place {
    Place { name, path, id, unit_ids: units.iter().map(|u| u.to_string()).collect() }
}

/// Every target, by the name the table uses.
fn places() -> Vec<Place> {
    vec![
        // Regions themselves (and, for users, an account attached there).
        place("C", c(), None, &[]),
        place("T1", t1(), None, &[]),
        place("T2", t2(), None, &[]),
        // Some record in a village of T1 / T2 that is nobody's own.
        place("rec@T1", t1().child("V1"), Some("X1"), &[]),
        place("rec@T2", t2().child("V2"), Some("X2"), &[]),
        place("U1", t1(), Some("U1"), &[]),
        place("U2", t2(), Some("U2"), &[]),
        // Both departments sit at the county.
        place("D1", c(), Some("D1"), &[]),
        place("D2", c(), Some("D2"), &[]),
        place("R1", t1(), Some("R1"), &["U1"]),
        place("R2", t2(), Some("R2"), &["U2"]),
        // A meeting of each station.
        place("M1", t1(), Some("M1"), &["U1"]),
        place("M2", t2(), Some("M2"), &["U2"]),
        // A system administrator's account.
        place("root", RegionPath::from_stored("/".into()), None, &[]),
    ]
}

/// Which targets each resource is checked against.
fn targets_of(resource: Resource) -> &'static [&'static str] {
    match resource {
        Resource::Region => &["C", "T1", "T2", "rec@T1", "rec@T2"],
        Resource::Unit => &["U1", "U2", "rec@T1", "rec@T2"],
        Resource::Representative => &["R1", "R2", "rec@T1", "rec@T2"],
        Resource::Department => &["D1", "D2", "rec@T1", "rec@T2"],
        Resource::User => &["C", "T1", "T2", "root"],
        Resource::Meeting => &["M1", "M2", "rec@T1", "rec@T2"],
        Resource::AdminLog => &["C", "T1", "T2"],
        Resource::Setting => &["C"],
    }
}

fn actors() -> Vec<(&'static str, Actor)> {
    let make = |role, scope| Actor::new("id".into(), "name".into(), "Name".into(), role, scope).expect("fits");
    vec![
        ("sysadmin", make(Role::SystemAdmin, Scope::Everything)),
        ("office@C", make(Role::OfficeAdmin, Scope::Subtree { region_id: "C".into(), path: c() })),
        ("office@T1", make(Role::OfficeAdmin, Scope::Subtree { region_id: "T1".into(), path: t1() })),
        ("keeper@U1", make(Role::UnitKeeper, Scope::Unit { unit_id: "U1".into(), path: t1() })),
        ("handler@D1", make(Role::DepartmentHandler, Scope::Department { department_id: "D1".into(), path: c() })),
        ("rep@R1", make(Role::Representative, Scope::Representative { representative_id: "R1".into(), path: t1() })),
    ]
}

fn target(place: &Place) -> Target<'_> {
    Target { region_path: &place.path, id: place.id, unit_ids: &place.unit_ids }
}

fn find(places: &[Place], name: &str) -> usize {
    places.iter().position(|p| p.name == name).expect("a known target")
}

fn table() -> String {
    let places = places();
    let mut out = String::from("actor       resource         target  V C U D I E P\n");
    for (actor_name, actor) in actors() {
        for resource in Resource::ALL {
            for name in targets_of(resource) {
                let place = &places[find(&places, name)];
                let cells: Vec<&str> = Action::ALL
                    .iter()
                    .map(|action| if allowed(&actor, *action, resource, &target(place)) { "Y" } else { "." })
                    .collect();
                out.push_str(&format!("{actor_name:<11} {:<16} {name:<7} {}\n", resource.as_str(), cells.join(" ")));
            }
        }
    }
    out
}

/// Columns: V view, C create, U update, D deactivate, I import, E export, P reset password.
const EXPECTED: &str = "\
actor       resource         target  V C U D I E P
sysadmin    regions          C       Y Y Y Y Y Y Y
sysadmin    regions          T1      Y Y Y Y Y Y Y
sysadmin    regions          T2      Y Y Y Y Y Y Y
sysadmin    regions          rec@T1  Y Y Y Y Y Y Y
sysadmin    regions          rec@T2  Y Y Y Y Y Y Y
sysadmin    units            U1      Y Y Y Y Y Y Y
sysadmin    units            U2      Y Y Y Y Y Y Y
sysadmin    units            rec@T1  Y Y Y Y Y Y Y
sysadmin    units            rec@T2  Y Y Y Y Y Y Y
sysadmin    representatives  R1      Y Y Y Y Y Y Y
sysadmin    representatives  R2      Y Y Y Y Y Y Y
sysadmin    representatives  rec@T1  Y Y Y Y Y Y Y
sysadmin    representatives  rec@T2  Y Y Y Y Y Y Y
sysadmin    departments      D1      Y Y Y Y Y Y Y
sysadmin    departments      D2      Y Y Y Y Y Y Y
sysadmin    departments      rec@T1  Y Y Y Y Y Y Y
sysadmin    departments      rec@T2  Y Y Y Y Y Y Y
sysadmin    users            C       Y Y Y Y Y Y Y
sysadmin    users            T1      Y Y Y Y Y Y Y
sysadmin    users            T2      Y Y Y Y Y Y Y
sysadmin    users            root    Y Y Y Y Y Y Y
sysadmin    meetings         M1      Y Y Y Y Y Y Y
sysadmin    meetings         M2      Y Y Y Y Y Y Y
sysadmin    meetings         rec@T1  Y Y Y Y Y Y Y
sysadmin    meetings         rec@T2  Y Y Y Y Y Y Y
sysadmin    log              C       Y Y Y Y Y Y Y
sysadmin    log              T1      Y Y Y Y Y Y Y
sysadmin    log              T2      Y Y Y Y Y Y Y
sysadmin    settings         C       Y Y Y Y Y Y Y
office@C    regions          C       Y . . . Y Y Y
office@C    regions          T1      Y Y Y Y Y Y Y
office@C    regions          T2      Y Y Y Y Y Y Y
office@C    regions          rec@T1  Y Y Y Y Y Y Y
office@C    regions          rec@T2  Y Y Y Y Y Y Y
office@C    units            U1      Y Y Y Y Y Y Y
office@C    units            U2      Y Y Y Y Y Y Y
office@C    units            rec@T1  Y Y Y Y Y Y Y
office@C    units            rec@T2  Y Y Y Y Y Y Y
office@C    representatives  R1      Y Y Y Y Y Y Y
office@C    representatives  R2      Y Y Y Y Y Y Y
office@C    representatives  rec@T1  Y Y Y Y Y Y Y
office@C    representatives  rec@T2  Y Y Y Y Y Y Y
office@C    departments      D1      Y Y Y Y Y Y Y
office@C    departments      D2      Y Y Y Y Y Y Y
office@C    departments      rec@T1  Y Y Y Y Y Y Y
office@C    departments      rec@T2  Y Y Y Y Y Y Y
office@C    users            C       Y Y Y Y Y Y Y
office@C    users            T1      Y Y Y Y Y Y Y
office@C    users            T2      Y Y Y Y Y Y Y
office@C    users            root    . . . . . . .
office@C    meetings         M1      Y Y Y Y . Y .
office@C    meetings         M2      Y Y Y Y . Y .
office@C    meetings         rec@T1  Y Y Y Y . Y .
office@C    meetings         rec@T2  Y Y Y Y . Y .
office@C    log              C       Y . . . . Y .
office@C    log              T1      Y . . . . Y .
office@C    log              T2      Y . . . . Y .
office@C    settings         C       . . . . . . .
office@T1   regions          C       . . . . . . .
office@T1   regions          T1      Y . . . Y Y Y
office@T1   regions          T2      . . . . . . .
office@T1   regions          rec@T1  Y Y Y Y Y Y Y
office@T1   regions          rec@T2  . . . . . . .
office@T1   units            U1      Y Y Y Y Y Y Y
office@T1   units            U2      . . . . . . .
office@T1   units            rec@T1  Y Y Y Y Y Y Y
office@T1   units            rec@T2  . . . . . . .
office@T1   representatives  R1      Y Y Y Y Y Y Y
office@T1   representatives  R2      . . . . . . .
office@T1   representatives  rec@T1  Y Y Y Y Y Y Y
office@T1   representatives  rec@T2  . . . . . . .
office@T1   departments      D1      . . . . . . .
office@T1   departments      D2      . . . . . . .
office@T1   departments      rec@T1  Y Y Y Y Y Y Y
office@T1   departments      rec@T2  . . . . . . .
office@T1   users            C       . . . . . . .
office@T1   users            T1      Y Y Y Y Y Y Y
office@T1   users            T2      . . . . . . .
office@T1   users            root    . . . . . . .
office@T1   meetings         M1      Y Y Y Y . Y .
office@T1   meetings         M2      . . . . . . .
office@T1   meetings         rec@T1  Y Y Y Y . Y .
office@T1   meetings         rec@T2  . . . . . . .
office@T1   log              C       . . . . . . .
office@T1   log              T1      Y . . . . Y .
office@T1   log              T2      . . . . . . .
office@T1   settings         C       . . . . . . .
keeper@U1   regions          C       . . . . . . .
keeper@U1   regions          T1      . . . . . . .
keeper@U1   regions          T2      . . . . . . .
keeper@U1   regions          rec@T1  . . . . . . .
keeper@U1   regions          rec@T2  . . . . . . .
keeper@U1   units            U1      Y . Y . . . .
keeper@U1   units            U2      . . . . . . .
keeper@U1   units            rec@T1  . . . . . . .
keeper@U1   units            rec@T2  . . . . . . .
keeper@U1   representatives  R1      Y . . . . . .
keeper@U1   representatives  R2      . . . . . . .
keeper@U1   representatives  rec@T1  . . . . . . .
keeper@U1   representatives  rec@T2  . . . . . . .
keeper@U1   departments      D1      . . . . . . .
keeper@U1   departments      D2      . . . . . . .
keeper@U1   departments      rec@T1  . . . . . . .
keeper@U1   departments      rec@T2  . . . . . . .
keeper@U1   users            C       . . . . . . .
keeper@U1   users            T1      . . . . . . .
keeper@U1   users            T2      . . . . . . .
keeper@U1   users            root    . . . . . . .
keeper@U1   meetings         M1      Y Y Y Y . . .
keeper@U1   meetings         M2      . . . . . . .
keeper@U1   meetings         rec@T1  . . . . . . .
keeper@U1   meetings         rec@T2  . . . . . . .
keeper@U1   log              C       . . . . . . .
keeper@U1   log              T1      . . . . . . .
keeper@U1   log              T2      . . . . . . .
keeper@U1   settings         C       . . . . . . .
handler@D1  regions          C       . . . . . . .
handler@D1  regions          T1      . . . . . . .
handler@D1  regions          T2      . . . . . . .
handler@D1  regions          rec@T1  . . . . . . .
handler@D1  regions          rec@T2  . . . . . . .
handler@D1  units            U1      . . . . . . .
handler@D1  units            U2      . . . . . . .
handler@D1  units            rec@T1  . . . . . . .
handler@D1  units            rec@T2  . . . . . . .
handler@D1  representatives  R1      . . . . . . .
handler@D1  representatives  R2      . . . . . . .
handler@D1  representatives  rec@T1  . . . . . . .
handler@D1  representatives  rec@T2  . . . . . . .
handler@D1  departments      D1      Y . Y . . . .
handler@D1  departments      D2      . . . . . . .
handler@D1  departments      rec@T1  . . . . . . .
handler@D1  departments      rec@T2  . . . . . . .
handler@D1  users            C       . . . . . . .
handler@D1  users            T1      . . . . . . .
handler@D1  users            T2      . . . . . . .
handler@D1  users            root    . . . . . . .
handler@D1  meetings         M1      . . . . . . .
handler@D1  meetings         M2      . . . . . . .
handler@D1  meetings         rec@T1  . . . . . . .
handler@D1  meetings         rec@T2  . . . . . . .
handler@D1  log              C       . . . . . . .
handler@D1  log              T1      . . . . . . .
handler@D1  log              T2      . . . . . . .
handler@D1  settings         C       . . . . . . .
rep@R1      regions          C       . . . . . . .
rep@R1      regions          T1      . . . . . . .
rep@R1      regions          T2      . . . . . . .
rep@R1      regions          rec@T1  . . . . . . .
rep@R1      regions          rec@T2  . . . . . . .
rep@R1      units            U1      . . . . . . .
rep@R1      units            U2      . . . . . . .
rep@R1      units            rec@T1  . . . . . . .
rep@R1      units            rec@T2  . . . . . . .
rep@R1      representatives  R1      Y . Y . . . .
rep@R1      representatives  R2      . . . . . . .
rep@R1      representatives  rec@T1  . . . . . . .
rep@R1      representatives  rec@T2  . . . . . . .
rep@R1      departments      D1      . . . . . . .
rep@R1      departments      D2      . . . . . . .
rep@R1      departments      rec@T1  . . . . . . .
rep@R1      departments      rec@T2  . . . . . . .
rep@R1      users            C       . . . . . . .
rep@R1      users            T1      . . . . . . .
rep@R1      users            T2      . . . . . . .
rep@R1      users            root    . . . . . . .
rep@R1      meetings         M1      . . . . . . .
rep@R1      meetings         M2      . . . . . . .
rep@R1      meetings         rec@T1  . . . . . . .
rep@R1      meetings         rec@T2  . . . . . . .
rep@R1      log              C       . . . . . . .
rep@R1      log              T1      . . . . . . .
rep@R1      log              T2      . . . . . . .
rep@R1      settings         C       . . . . . . .
";

#[test]
fn who_may_do_what_where() {
    let actual = table();
    if actual != EXPECTED {
        let diff: Vec<String> = EXPECTED
            .lines()
            .zip(actual.lines())
            .filter(|(expected, actual)| expected != actual)
            .map(|(expected, actual)| format!("expected {expected}\n  actual {actual}"))
            .collect();
        panic!("the permission table changed:\n{}\n\nthe whole table now:\n{actual}", diff.join("\n"));
    }
}

fn describe(filter: &Option<ListFilter>) -> String {
    match filter {
        None => "-".to_string(),
        Some(ListFilter::All) => "all".to_string(),
        Some(ListFilter::Subtree(path)) => format!("subtree {}", path.as_str()),
        Some(ListFilter::OnlyId(id)) => format!("only {id}"),
        Some(ListFilter::AtUnit(unit)) => format!("at unit {unit}"),
    }
}

const EXPECTED_LISTS: &str = "\
sysadmin    regions          all
sysadmin    units            all
sysadmin    representatives  all
sysadmin    departments      all
sysadmin    users            all
sysadmin    meetings         all
sysadmin    log              all
sysadmin    settings         all
office@C    regions          subtree /C/
office@C    units            subtree /C/
office@C    representatives  subtree /C/
office@C    departments      subtree /C/
office@C    users            subtree /C/
office@C    meetings         subtree /C/
office@C    log              subtree /C/
office@C    settings         -
office@T1   regions          subtree /C/T1/
office@T1   units            subtree /C/T1/
office@T1   representatives  subtree /C/T1/
office@T1   departments      subtree /C/T1/
office@T1   users            subtree /C/T1/
office@T1   meetings         subtree /C/T1/
office@T1   log              subtree /C/T1/
office@T1   settings         -
keeper@U1   regions          -
keeper@U1   units            only U1
keeper@U1   representatives  at unit U1
keeper@U1   departments      -
keeper@U1   users            -
keeper@U1   meetings         at unit U1
keeper@U1   log              -
keeper@U1   settings         -
handler@D1  regions          -
handler@D1  units            -
handler@D1  representatives  -
handler@D1  departments      only D1
handler@D1  users            -
handler@D1  meetings         -
handler@D1  log              -
handler@D1  settings         -
rep@R1      regions          -
rep@R1      units            -
rep@R1      representatives  only R1
rep@R1      departments      -
rep@R1      users            -
rep@R1      meetings         -
rep@R1      log              -
rep@R1      settings         -
";

#[test]
fn how_each_list_is_narrowed() {
    let mut actual = String::new();
    for (actor_name, actor) in actors() {
        for resource in Resource::ALL {
            let filter = list_filter(&actor, resource);
            actual.push_str(&format!("{actor_name:<11} {:<16} {}\n", resource.as_str(), describe(&filter)));
        }
    }
    assert_eq!(actual, EXPECTED_LISTS);
}

/// Whether a list narrowed by `filter` would show the record at `place`.
fn admits(filter: &Option<ListFilter>, place: &Place) -> bool {
    match filter {
        None => false,
        Some(ListFilter::All) => true,
        Some(ListFilter::Subtree(path)) => path.contains(&place.path),
        Some(ListFilter::OnlyId(id)) => place.id == Some(id.as_str()),
        Some(ListFilter::AtUnit(unit)) => place.unit_ids.contains(unit),
    }
}

/// A list shows exactly the records the actor may view one by one: no list leaks a
/// record its page would refuse, and no viewable record is missing from its list.
#[test]
fn lists_show_exactly_what_may_be_viewed() {
    let places = places();
    for (actor_name, actor) in actors() {
        for resource in Resource::ALL {
            let filter = list_filter(&actor, resource);
            for name in targets_of(resource) {
                let place = &places[find(&places, name)];
                let may_view = allowed(&actor, Action::View, resource, &target(place));
                assert_eq!(
                    admits(&filter, place),
                    may_view,
                    "{actor_name} {} {name}: the list filter {filter:?} and the view permission disagree",
                    resource.as_str()
                );
            }
        }
    }
}

/// `Actor::new` refuses a role whose scope does not fit, for every mismatch.
#[test]
fn an_actor_is_built_only_with_a_fitting_scope() {
    let scopes = [
        Scope::Everything,
        Scope::Subtree { region_id: "C".into(), path: c() },
        Scope::Unit { unit_id: "U1".into(), path: t1() },
        Scope::Department { department_id: "D1".into(), path: c() },
        Scope::Representative { representative_id: "R1".into(), path: t1() },
    ];
    let fitting =
        [Role::SystemAdmin, Role::OfficeAdmin, Role::UnitKeeper, Role::DepartmentHandler, Role::Representative];
    for (s, scope) in scopes.iter().enumerate() {
        for role in Role::ALL {
            let built = Actor::new("id".into(), "u".into(), "U".into(), role, scope.clone()).is_some();
            assert_eq!(built, fitting[s] == role, "{role:?} with {scope:?}");
        }
    }
}
