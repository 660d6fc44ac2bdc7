//! The verbs, on every engine: validation, duplicates, scope, the admin log, and
//! signing in (passwords, sessions, throttling).

use minyi::actions::{self, records};
use minyi::db::PageRequest;
use minyi::domain::department::DepartmentFields;
use minyi::domain::permission::Resource;
use minyi::domain::representative::RepresentativeFields;
use minyi::domain::unit::{UnitFields, UnitKind};
use minyi::domain::user::{Actor, Role, Scope, UserFields};
use minyi::error::Error;

use crate::support::{
    ADMIN_PASSWORD, COUNTY, MINUTE_MS, TOWN1, TOWN2, TestDb, add_system_admin, admin_log_len, counts, engines,
    invalid_fields, invalid_keys, small_tree,
};

// --- fields as a form would send them ----------------------------------------------------

fn unit(code: &str, name: &str, region_code: &str) -> UnitFields {
    UnitFields {
        code: code.into(),
        kind: "联络站".into(),
        name: name.into(),
        region_code: region_code.into(),
        address: "温岭市太平街道东辉路1号".into(),
        contact_phone: "0576-86123456".into(),
        service_fields: "交通,教育".into(),
        ..UnitFields::default()
    }
}

fn dept(code: &str, name: &str, region_code: &str) -> DepartmentFields {
    DepartmentFields {
        code: code.into(),
        name: name.into(),
        region_code: region_code.into(),
        fields: "交通".into(),
        contact_phone: "0576-86200000".into(),
        ..DepartmentFields::default()
    }
}

fn rep(code: &str, name: &str, region_code: &str, unit_codes: &str) -> RepresentativeFields {
    RepresentativeFields {
        code: code.into(),
        body: "人大".into(),
        name: name.into(),
        level: "县".into(),
        region_code: region_code.into(),
        mobile: "13905761234".into(),
        profile: "关注农村道路。".into(),
        unit_codes: unit_codes.into(),
        ..RepresentativeFields::default()
    }
}

const PASSWORD: &str = "为民服务-2026";

fn user(username: &str, role: &str, scope_code: &str) -> UserFields {
    UserFields {
        username: username.into(),
        display_name: format!("{username} 同志"),
        role: role.into(),
        scope_code: scope_code.into(),
        password: PASSWORD.into(),
        active: String::new(),
    }
}

fn region(code: &str, name: &str, level: &str, parent_code: &str) -> actions::regions::RegionFields {
    actions::regions::RegionFields {
        code: code.into(),
        name: name.into(),
        level: level.into(),
        parent_code: parent_code.into(),
    }
}

/// Creates an account through the action and returns its actor.
async fn add_user(t: &TestDb, admin: &Actor, fields: UserFields) -> Actor {
    let username = fields.username.clone();
    actions::users::save(&t.app, admin, None, &fields)
        .await
        .unwrap_or_else(|e| panic!("{}: creating {username}: {e:?}", t.engine));
    crate::support::actor(t, &username).await
}

fn assert_forbidden<T: std::fmt::Debug>(engine: &str, what: &str, result: Result<T, Error>) {
    assert!(matches!(result, Err(Error::Forbidden)), "{engine}: {what}: expected Forbidden, got {result:?}");
}

// --- creating ----------------------------------------------------------------------------

#[tokio::test]
async fn a_system_admin_creates_every_kind_of_record() {
    for t in engines().await {
        let e = t.engine;
        let admin = add_system_admin(&t, "root").await;
        let tree = small_tree(&t, &admin).await;
        assert_eq!(tree.t1.parent_id.as_deref(), Some(tree.county.id.as_str()), "{e}");
        assert_eq!(tree.t2.path, tree.county.path.child(&tree.t2.id), "{e}: a town's path");
        let village_fields = region("331081001201", "东门村", "村", TOWN1);
        let village = actions::regions::save(&t.app, &admin, None, &village_fields).await.expect("a village");
        let (got, parent_code) = actions::regions::get(&t.app, &admin, &village.id).await.unwrap();
        assert_eq!((got.path, parent_code.as_str()), (tree.t1.path.child(&village.id), TOWN1), "{e}");

        let unit_id =
            actions::units::save(&t.app, &admin, None, &unit("LLZ-001", "太平街道联络站", TOWN1)).await.unwrap();
        let got = actions::units::get(&t.app, &admin, &unit_id).await.unwrap();
        assert_eq!((got.input.kind, got.region_id.as_str()), (UnitKind::Station, tree.t1.id.as_str()), "{e}");
        assert_eq!(got.input.service_fields, ["交通", "教育"], "{e}");

        let dept_id = actions::departments::save(&t.app, &admin, None, &dept("BM-001", "市交通运输局", COUNTY)).await;
        let got = actions::departments::get(&t.app, &admin, &dept_id.unwrap()).await.unwrap();
        assert_eq!(got.input.name, "市交通运输局", "{e}");

        let rep_fields = rep("DB-0001", "林秀英", TOWN1, "LLZ-001");
        let rep_id = actions::representatives::save(&t.app, &admin, None, &rep_fields).await.unwrap();
        let got = actions::representatives::get(&t.app, &admin, &rep_id).await.unwrap();
        assert_eq!((got.unit_ids, got.input.unit_codes), (vec![unit_id.clone()], vec!["LLZ-001".to_string()]), "{e}");

        let keeper = add_user(&t, &admin, user("keeper1", "联络站管理员", "LLZ-001")).await;
        assert_eq!(keeper.role(), Role::UnitKeeper, "{e}");
        assert_eq!(keeper.scope(), &Scope::Unit { unit_id: unit_id.clone(), path: tree.t1.path.clone() }, "{e}");

        let c = counts(&t).await;
        assert_eq!((c.regions, c.units, c.departments, c.representatives, c.users), (4, 1, 1, 1, 2), "{e}");
        let log = records::admin_log(&t.app, &admin, PageRequest::new(1, 50)).await.unwrap();
        let lines: Vec<(String, String)> = log.items.iter().map(|l| (l.action.clone(), l.resource.clone())).collect();
        let expected = [
            ("create", "users"),
            ("create", "representatives"),
            ("create", "departments"),
            ("create", "units"),
            ("create", "regions"),
            ("create", "regions"),
            ("create", "regions"),
            ("create", "regions"),
        ];
        let expected: Vec<(String, String)> = expected.iter().map(|(a, r)| (a.to_string(), r.to_string())).collect();
        assert_eq!(lines, expected, "{e}: one line per save, newest first");
        assert!(log.items.iter().all(|l| l.actor_name == "root"), "{e}: the actor is named");
    }
}

#[tokio::test]
async fn invalid_input_names_every_broken_field_and_writes_nothing() {
    for t in engines().await {
        let e = t.engine;
        let admin = add_system_admin(&t, "root").await;
        small_tree(&t, &admin).await;
        actions::units::save(&t.app, &admin, None, &unit("LLZ-001", "太平街道联络站", TOWN1)).await.unwrap();
        let (before, log_before) = (counts(&t).await, admin_log_len(&t).await);

        let bad_unit = UnitFields {
            code: "联络站".into(),
            kind: "shop".into(),
            name: " ".into(),
            contact_phone: "call me".into(),
            ..unit("", "", TOWN1)
        };
        let result = actions::units::save(&t.app, &admin, None, &bad_unit).await;
        assert_eq!(invalid_fields(e, result), ["code", "name", "contact_phone", "kind"], "{e}: unit");
        let result = actions::units::save(&t.app, &admin, None, &unit("LLZ-002", "某站", "331081999")).await;
        assert_eq!(invalid_keys(e, result), [("region_code".into(), "err-unknown-region")], "{e}: unknown region");

        let result = actions::regions::save(&t.app, &admin, None, &region("12", "", "planet", "x")).await;
        assert_eq!(invalid_fields(e, result), ["code", "name", "level", "parent_code"], "{e}: region");
        let result =
            actions::regions::save(&t.app, &admin, None, &region("331081000201", "跳级村", "村", COUNTY)).await;
        assert_eq!(invalid_keys(e, result), [("parent_code".into(), "err-region-parent-level")], "{e}: level");

        let bad_rep =
            RepresentativeFields { mobile: "12345".into(), level: String::new(), ..rep("DB-1", "王", TOWN1, "") };
        let result = actions::representatives::save(&t.app, &admin, None, &bad_rep).await;
        assert_eq!(invalid_keys(e, result), [("mobile".into(), "err-mobile"), ("level".into(), "err-deputy-level")]);
        let result =
            actions::representatives::save(&t.app, &admin, None, &rep("DB-0001", "王", TOWN1, "LLZ-404")).await;
        assert_eq!(invalid_keys(e, result), [("unit_codes".into(), "err-unknown-unit")], "{e}: unknown unit");

        let result = actions::departments::save(&t.app, &admin, None, &dept("", "", "")).await;
        assert_eq!(invalid_fields(e, result), ["code", "name", "region_code"], "{e}: department");

        let bad_user = UserFields { password: "short".into(), display_name: String::new(), ..user("王", "boss", "") };
        let result = actions::users::save(&t.app, &admin, None, &bad_user).await;
        assert_eq!(invalid_fields(e, result), ["username", "display_name", "role", "password"], "{e}: user");
        let result = actions::users::save(&t.app, &admin, None, &user("zhang", "office_admin", "")).await;
        assert_eq!(invalid_keys(e, result), [("scope_code".into(), "err-required")], "{e}: an office needs a scope");
        let result = actions::users::save(&t.app, &admin, None, &user("zhang", "office_admin", "LLZ-001")).await;
        assert_eq!(invalid_keys(e, result), [("scope_code".into(), "err-unknown-scope")], "{e}: not a region");
        let no_password = UserFields { password: String::new(), ..user("zhang", "office_admin", TOWN1) };
        let result = actions::users::save(&t.app, &admin, None, &no_password).await;
        assert_eq!(invalid_keys(e, result), [("password".into(), "err-required")], "{e}: a new account's password");

        let after = counts(&t).await;
        assert_eq!(format!("{after:?}"), format!("{before:?}"), "{e}: nothing was written");
        assert_eq!(admin_log_len(&t).await, log_before, "{e}: nothing was logged");
    }
}

#[tokio::test]
async fn duplicate_codes_are_refused() {
    for t in engines().await {
        let e = t.engine;
        let admin = add_system_admin(&t, "root").await;
        small_tree(&t, &admin).await;
        let app = &t.app;
        actions::units::save(app, &admin, None, &unit("LLZ-001", "一站", TOWN1)).await.unwrap();
        let u2 = actions::units::save(app, &admin, None, &unit("LLZ-002", "二站", TOWN2)).await.unwrap();
        actions::departments::save(app, &admin, None, &dept("BM-001", "交通局", COUNTY)).await.unwrap();
        actions::representatives::save(app, &admin, None, &rep("DB-0001", "林", TOWN1, "")).await.unwrap();
        add_user(&t, &admin, user("zhang", "office_admin", TOWN1)).await;
        let duplicate = |field: &str| vec![(field.to_string(), "err-duplicate")];

        let result = actions::regions::save(app, &admin, None, &region(TOWN1, "又一个", "town", COUNTY)).await;
        assert_eq!(invalid_keys(e, result), duplicate("code"), "{e}: region");
        let result = actions::units::save(app, &admin, None, &unit("LLZ-001", "重复站", TOWN2)).await;
        assert_eq!(invalid_keys(e, result), duplicate("code"), "{e}: unit");
        let result = actions::units::save(app, &admin, Some(&u2), &unit("LLZ-001", "二站", TOWN2)).await;
        assert_eq!(invalid_keys(e, result), duplicate("code"), "{e}: renaming a unit onto a taken code");
        let result = actions::departments::save(app, &admin, None, &dept("BM-001", "另一个局", COUNTY)).await;
        assert_eq!(invalid_keys(e, result), duplicate("code"), "{e}: department");
        let result = actions::representatives::save(app, &admin, None, &rep("DB-0001", "陈", TOWN2, "")).await;
        assert_eq!(invalid_keys(e, result), duplicate("code"), "{e}: representative");
        let result = actions::users::save(app, &admin, None, &user("ZHANG", "office_admin", TOWN2)).await;
        assert_eq!(invalid_keys(e, result), duplicate("username"), "{e}: usernames ignore case");
        let c = counts(&t).await;
        assert_eq!((c.regions, c.units, c.departments, c.representatives, c.users), (3, 2, 1, 1, 2), "{e}");
    }
}

// --- scope ---------------------------------------------------------------------------------

#[tokio::test]
async fn an_office_admin_stays_inside_their_subtree() {
    for t in engines().await {
        let e = t.engine;
        let admin = add_system_admin(&t, "root").await;
        let tree = small_tree(&t, &admin).await;
        let app = &t.app;
        let u2 = actions::units::save(app, &admin, None, &unit("LLZ-002", "城东站", TOWN2)).await.unwrap();
        let county_office = add_user(&t, &admin, user("county-office", "office_admin", COUNTY)).await;
        let office = add_user(&t, &admin, user("town-office", "office_admin", TOWN1)).await;
        let log_before = admin_log_len(&t).await;

        assert_forbidden(
            e,
            "create a unit in T2",
            actions::units::save(app, &office, None, &unit("LLZ-009", "越界站", TOWN2)).await,
        );
        let seen = actions::units::get(app, &office, &u2).await;
        assert!(matches!(seen, Err(Error::Forbidden | Error::NotFound)), "{e}: a unit in T2 is hidden, got {seen:?}");
        let seen = records::get(app, &office, Resource::Unit, &u2).await;
        assert!(matches!(seen, Err(Error::Forbidden | Error::NotFound)), "{e}: through records too");
        assert_forbidden(
            e,
            "update a unit in T2",
            actions::units::save(app, &office, Some(&u2), &unit("LLZ-002", "改", TOWN2)).await,
        );
        assert_forbidden(e, "switch off a unit in T2", actions::units::set_active(app, &office, &u2, false).await);
        assert_forbidden(
            e,
            "a town in the county",
            actions::regions::save(app, &office, None, &region("331081003", "新镇", "town", COUNTY)).await,
        );
        let rename_own = region(TOWN1, "太平街道（改）", "town", COUNTY);
        assert_forbidden(
            e,
            "rename its own town",
            actions::regions::save(app, &office, Some(&tree.t1.id), &rename_own).await,
        );
        assert_forbidden(
            e,
            "a system admin",
            actions::users::save(app, &office, None, &user("boss", "system_admin", "")).await,
        );
        assert_forbidden(
            e,
            "a county office",
            actions::users::save(app, &office, None, &user("peer", "office_admin", COUNTY)).await,
        );
        assert_forbidden(
            e,
            "reset the county office",
            actions::accounts::reset_password(app, &office, county_office.user_id()).await,
        );
        assert_forbidden(
            e,
            "reset the system admin",
            actions::accounts::reset_password(app, &office, admin.user_id()).await,
        );
        assert_eq!(admin_log_len(&t).await, log_before, "{e}: nothing refused was logged");

        // Inside T1 it may do everything but rename T1 itself.
        let own = actions::units::save(app, &office, None, &unit("LLZ-001", "太平站", TOWN1)).await.expect("own unit");
        let moved = actions::units::save(app, &office, Some(&own), &unit("LLZ-001", "太平站", TOWN2)).await;
        assert_forbidden(e, "move its unit to T2", moved);
        actions::regions::save(app, &office, None, &region("331081001201", "东门村", "village", TOWN1))
            .await
            .expect("a village");
        let listed = actions::units::list(app, &office, "", PageRequest::new(1, 50)).await.unwrap();
        assert_eq!(
            listed.items.iter().map(|u| u.input.code.as_str()).collect::<Vec<_>>(),
            ["LLZ-001"],
            "{e}: its list"
        );
        let regions = actions::regions::list(app, &office, "", PageRequest::new(1, 50)).await.unwrap();
        assert_eq!(regions.total, 2, "{e}: T1 and its village");
        let log = records::admin_log(app, &office, PageRequest::new(1, 50)).await.unwrap();
        assert!(log.items.iter().all(|l| l.target_label != "城东站"), "{e}: its log shows nothing of T2");
        assert_eq!(log.total, 4, "{e}: T1's creation, the town office's account, its unit and its village");
    }
}

#[tokio::test]
async fn a_keeper_edits_the_profile_of_their_unit_not_what_or_where_it_is() {
    for t in engines().await {
        let e = t.engine;
        let admin = add_system_admin(&t, "root").await;
        let tree = small_tree(&t, &admin).await;
        let app = &t.app;
        let u1 = actions::units::save(app, &admin, None, &unit("LLZ-001", "太平街道联络站", TOWN1)).await.unwrap();
        let u2 = actions::units::save(app, &admin, None, &unit("LLZ-002", "城东街道联络站", TOWN2)).await.unwrap();
        let keeper = add_user(&t, &admin, user("keeper1", "unit_keeper", "LLZ-001")).await;

        let attempt = UnitFields {
            code: "HACK-01".into(),
            kind: "studio".into(),
            studio_kind: "town".into(),
            name: "改了名字的站".into(),
            region_code: TOWN2.into(),
            address: "太平街道人民东路88号".into(),
            opening_hours: "每天 9:00-17:00".into(),
            contact_phone: "13800000001".into(),
            service_fields: "养老".into(),
            active: "否".into(),
            ..UnitFields::default()
        };
        let saved = actions::units::save(app, &keeper, Some(&u1), &attempt).await.expect("the keeper saves");
        assert_eq!(saved, u1, "{e}");
        let after = actions::units::get(app, &admin, &u1).await.unwrap();
        assert_eq!(after.input.code, "LLZ-001", "{e}: the code is kept");
        assert_eq!((after.region_id.as_str(), after.input.region_code.as_str()), (tree.t1.id.as_str(), TOWN1), "{e}");
        assert_eq!((after.input.kind, after.input.name.as_str()), (UnitKind::Station, "太平街道联络站"), "{e}");
        assert!(after.input.active, "{e}: a keeper does not switch the unit off");
        assert_eq!(after.input.address, "太平街道人民东路88号", "{e}: the profile changes");
        assert_eq!(after.input.opening_hours, "每天 9:00-17:00", "{e}");
        assert_eq!(after.input.contact_phone, "13800000001", "{e}");
        assert_eq!(after.input.service_fields, ["养老"], "{e}");

        assert_forbidden(
            e,
            "another unit",
            actions::units::save(app, &keeper, Some(&u2), &unit("LLZ-002", "x", TOWN2)).await,
        );
        assert_forbidden(
            e,
            "a new unit",
            actions::units::save(app, &keeper, None, &unit("LLZ-003", "新站", TOWN1)).await,
        );
        assert_forbidden(e, "switch off", actions::units::set_active(app, &keeper, &u1, false).await);
        assert_forbidden(e, "see another unit", actions::units::get(app, &keeper, &u2).await);
        assert_forbidden(e, "list users", actions::users::list(app, &keeper, "", PageRequest::new(1, 10)).await);
        assert_forbidden(e, "list regions", actions::regions::list(app, &keeper, "", PageRequest::new(1, 10)).await);
        let listed = actions::units::list(app, &keeper, "", PageRequest::new(1, 10)).await.unwrap();
        assert_eq!(listed.items.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(), [u1.as_str()], "{e}: its list");

        // A representative edits their own profile and title, nothing else.
        let r1 = actions::representatives::save(app, &admin, None, &rep("DB-0001", "林秀英", TOWN1, "LLZ-001"))
            .await
            .unwrap();
        let deputy = add_user(&t, &admin, user("deputy1", "representative", "DB-0001")).await;
        let attempt = RepresentativeFields {
            profile: "新的简介。".into(),
            title: "东门村党支部书记".into(),
            ..rep("DB-9999", "别人", TOWN2, "LLZ-002")
        };
        actions::representatives::save(app, &deputy, Some(&r1), &attempt).await.expect("the deputy saves");
        let after = actions::representatives::get(app, &admin, &r1).await.unwrap();
        assert_eq!((after.input.code.as_str(), after.input.name.as_str()), ("DB-0001", "林秀英"), "{e}");
        assert_eq!(
            (after.input.unit_codes.clone(), after.region_id.clone()),
            (vec!["LLZ-001".into()], tree.t1.id.clone())
        );
        assert_eq!(
            (after.input.profile.as_str(), after.input.title.as_str()),
            ("新的简介。", "东门村党支部书记"),
            "{e}"
        );

        // A department handler keeps the contact telephone current, nothing else.
        let d1 = actions::departments::save(app, &admin, None, &dept("BM-001", "市交通运输局", COUNTY)).await.unwrap();
        let handler = add_user(&t, &admin, user("handler1", "department_handler", "BM-001")).await;
        let attempt = DepartmentFields { contact_phone: "0576-86999999".into(), ..dept("BM-777", "别的局", TOWN2) };
        actions::departments::save(app, &handler, Some(&d1), &attempt).await.expect("the handler saves");
        let after = actions::departments::get(app, &admin, &d1).await.unwrap();
        assert_eq!((after.input.code.as_str(), after.input.name.as_str()), ("BM-001", "市交通运输局"), "{e}");
        assert_eq!(
            (after.input.contact_phone.as_str(), after.region_id.as_str()),
            ("0576-86999999", tree.county.id.as_str())
        );
    }
}

// --- the admin log and switching off ----------------------------------------------------------

#[tokio::test]
async fn every_change_writes_one_admin_log_line_and_switching_off_keeps_the_record() {
    for t in engines().await {
        let e = t.engine;
        let admin = add_system_admin(&t, "root").await;
        small_tree(&t, &admin).await;
        let app = &t.app;
        let unit_id = actions::units::save(app, &admin, None, &unit("LLZ-001", "太平站", TOWN1)).await.unwrap();
        let creations: [(Resource, records::Fields); 5] = [
            (Resource::Region, records::to_fields(&region("331081001201", "东门村", "village", TOWN1)).unwrap()),
            (Resource::Unit, records::to_fields(&unit("LLZ-002", "城东站", TOWN2)).unwrap()),
            (Resource::Department, records::to_fields(&dept("BM-001", "交通局", COUNTY)).unwrap()),
            (Resource::Representative, records::to_fields(&rep("DB-0001", "林", TOWN1, "LLZ-001")).unwrap()),
            (Resource::User, records::to_fields(&user("keeper1", "unit_keeper", "LLZ-001")).unwrap()),
        ];
        for (resource, fields) in creations {
            let what = resource.as_str();
            let expect_line = async |action: &str, id: &str| {
                t.clock.advance_ms(1);
                let newest = records::admin_log(app, &admin, PageRequest::new(1, 1)).await.unwrap().items.remove(0);
                assert_eq!(
                    (newest.action.as_str(), newest.resource.as_str(), newest.target_id.as_str()),
                    (action, what, id),
                    "{e}: the newest log line"
                );
            };
            let before = admin_log_len(&t).await;
            let id = records::save(app, &admin, resource, None, &fields)
                .await
                .unwrap_or_else(|err| panic!("{e}: {what}: {err:?}"));
            expect_line("create", &id).await;
            let mut changed = fields.clone();
            if resource != Resource::User {
                changed.insert("name".into(), "改过的名字".into());
            } else {
                changed.insert("display_name".into(), "改过的名字".into());
                changed.insert("password".into(), String::new());
            }
            records::save(app, &admin, resource, Some(&id), &changed)
                .await
                .unwrap_or_else(|err| panic!("{e}: {what}: {err:?}"));
            expect_line("update", &id).await;
            records::set_active(app, &admin, resource, &id, false).await.unwrap();
            expect_line("deactivate", &id).await;
            assert_eq!(admin_log_len(&t).await, before + 3, "{e}: {what}: one line per change");

            let kept =
                records::get(app, &admin, resource, &id).await.unwrap_or_else(|err| panic!("{e}: {what}: {err:?}"));
            assert!(!kept.active, "{e}: {what} is switched off, not deleted");
            let (listed, _) =
                records::list(app, &admin, resource, "改过的名字", PageRequest::new(1, 50)).await.unwrap();
            assert!(listed.iter().any(|r| r.id == id && !r.active), "{e}: {what} is still listed, switched off");
            records::set_active(app, &admin, resource, &id, true).await.unwrap();
            expect_line("activate", &id).await;
            assert!(records::get(app, &admin, resource, &id).await.unwrap().active, "{e}: {what} is back");
        }
        let c = counts(&t).await;
        assert_eq!((c.regions, c.units, c.departments, c.representatives, c.users), (4, 2, 1, 1, 2), "{e}: all kept");
        assert!(actions::units::get(app, &admin, &unit_id).await.is_ok(), "{e}");
    }
}

// --- passwords, sessions, sign-in --------------------------------------------------------------

#[tokio::test]
async fn reset_password_gives_a_temporary_password_and_signs_the_person_out() {
    for t in engines().await {
        let e = t.engine;
        let admin = add_system_admin(&t, "root").await;
        small_tree(&t, &admin).await;
        let app = &t.app;
        let person = add_user(&t, &admin, user("zhang.wei", "office_admin", TOWN1)).await;
        let first = actions::accounts::login(app, "zhang.wei", PASSWORD, "10.0.0.5").await.expect("signs in");
        let second = actions::accounts::login(app, "Zhang.Wei ", PASSWORD, "10.0.0.6").await.expect("again, any case");
        assert_eq!(first.actor, person, "{e}: the session's actor");
        assert!(actions::accounts::actor_for_token(app, &first.token).await.unwrap().is_some(), "{e}: live");

        let temporary = actions::accounts::reset_password(app, &admin, person.user_id()).await.expect("reset");
        assert_eq!(temporary.chars().count(), 12, "{e}: twelve characters");
        for session in [&first, &second] {
            let after = actions::accounts::actor_for_token(app, &session.token).await.unwrap();
            assert!(after.is_none(), "{e}: every session of the person ends");
        }
        let old = actions::accounts::login(app, "zhang.wei", PASSWORD, "10.0.0.5").await;
        assert_eq!(invalid_keys(e, old.map(|s| s.token)), [("password".into(), "err-login-failed")], "{e}: old");
        let session =
            actions::accounts::login(app, "zhang.wei", &temporary, "10.0.0.5").await.expect("the temporary one");
        assert_eq!(session.actor.username(), "zhang.wei", "{e}");
        let newest = records::admin_log(app, &admin, PageRequest::new(1, 1)).await.unwrap().items.remove(0);
        assert_eq!((newest.action.as_str(), newest.target_id.as_str()), ("reset_password", person.user_id()), "{e}");

        // Changing one's own password keeps this session and ends the others.
        let other = actions::accounts::login(app, "zhang.wei", &temporary, "10.0.0.7").await.unwrap();
        let wrong = actions::accounts::change_password(app, &person, &session.token, "wrong", "新的密码-2026").await;
        assert_eq!(invalid_keys(e, wrong), [("current".into(), "err-password-wrong")], "{e}");
        actions::accounts::change_password(app, &person, &session.token, &temporary, "新的密码-2026").await.unwrap();
        assert!(actions::accounts::actor_for_token(app, &session.token).await.unwrap().is_some(), "{e}: kept");
        assert!(actions::accounts::actor_for_token(app, &other.token).await.unwrap().is_none(), "{e}: ended");
        actions::accounts::logout(app, &session.token).await.unwrap();
        assert!(actions::accounts::actor_for_token(app, &session.token).await.unwrap().is_none(), "{e}: signed out");
    }
}

#[tokio::test]
async fn five_failures_lock_an_account_for_a_while() {
    for t in engines().await {
        let e = t.engine;
        let admin = add_system_admin(&t, "root").await;
        small_tree(&t, &admin).await;
        let app = &t.app;
        add_user(&t, &admin, user("li.na", "office_admin", TOWN1)).await;
        for attempt in 1..=5 {
            let result = actions::accounts::login(app, "li.na", "not-her-password", "10.0.0.9").await;
            let keys = invalid_keys(e, result.map(|s| s.token));
            assert_eq!(keys, [("password".into(), "err-login-failed")], "{e}: attempt {attempt}");
            t.clock.advance_ms(1000);
        }
        let locked = actions::accounts::login(app, "li.na", PASSWORD, "10.0.0.9").await.map(|s| s.token);
        match locked {
            Err(Error::Throttled { retry_after_secs }) => {
                assert!((1..=15 * 60).contains(&retry_after_secs), "{e}: retry after {retry_after_secs}s");
            }
            other => panic!("{e}: expected Throttled even with the right password, got {other:?}"),
        }
        // Another account from the same address is not affected.
        let result = actions::accounts::login(app, "root", ADMIN_PASSWORD, "10.0.0.9").await;
        assert!(result.is_ok(), "{e}: the lock is per account");

        t.clock.advance_ms(16 * MINUTE_MS);
        let session = actions::accounts::login(app, "li.na", PASSWORD, "10.0.0.9").await;
        assert!(session.is_ok(), "{e}: after 16 minutes the account opens again: {:?}", session.err());
    }
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_username_look_the_same() {
    for t in engines().await {
        let e = t.engine;
        let admin = add_system_admin(&t, "root").await;
        small_tree(&t, &admin).await;
        add_user(&t, &admin, user("wang.fang", "office_admin", TOWN1)).await;
        let wrong_password = actions::accounts::login(&t.app, "wang.fang", "guess-2026", "10.0.0.1").await;
        let unknown_user = actions::accounts::login(&t.app, "wang.fan", "guess-2026", "10.0.0.1").await;
        let (wrong_password, unknown_user) = (wrong_password.map(|s| s.token), unknown_user.map(|s| s.token));
        assert_eq!(format!("{wrong_password:?}"), format!("{unknown_user:?}"), "{e}: the same answer");
        assert_eq!(invalid_keys(e, unknown_user), [("password".into(), "err-login-failed")], "{e}");

        // A switched-off account answers the same way too, even with its right password.
        let id = crate::support::actor(&t, "wang.fang").await.user_id().to_string();
        records::set_active(&t.app, &admin, Resource::User, &id, false).await.unwrap();
        let switched_off = actions::accounts::login(&t.app, "wang.fang", PASSWORD, "10.0.0.1").await;
        assert_eq!(invalid_keys(e, switched_off.map(|s| s.token)), [("password".into(), "err-login-failed")], "{e}");
    }
}

/// At a province's scale an office is offered the departments of the case's own county,
/// and those above it that cover the case, not every department of its region (thousands
/// in one list): a neighbouring county's bureau is not among the choices, yet the office
/// may still name it.
#[tokio::test]
async fn an_office_is_offered_the_departments_of_the_cases_county() {
    use minyi::actions::cases::{self, CaseRef, Who};
    use minyi::domain::case::AssignmentRole;
    use minyi::domain::workflow::{Move, NewAssignment};
    for t in engines().await {
        let e = t.engine;
        crate::support::load_demo(&t).await;
        let admin = crate::support::actor(&t, "admin").await;
        let deputy = crate::support::actor(&t, "deputy").await;
        actions::regions::save(&t.app, &admin, None, &region("331082", "邻县", "county", "331000"))
            .await
            .unwrap_or_else(|err| panic!("{e}: a second county: {err:?}"));
        actions::departments::save(&t.app, &admin, None, &dept("BM-901", "邻县交通运输局", "331082"))
            .await
            .unwrap_or_else(|err| panic!("{e}: its bureau: {err:?}"));
        let fields = crate::support::to_deputy(&deputy, "村口的路灯坏了，晚上出行不便。");
        let case_id = cases::submit(&t.app, &fields).await.expect("a case").case_id;
        let detail = cases::detail(&t.app, &admin, &case_id).await.expect("the case");
        let codes: Vec<&str> = detail.forward_choices.iter().map(|d| d.input.code.as_str()).collect();
        assert!(codes.contains(&"BM-001"), "{e}: the case's county's bureau is offered: {codes:?}");
        assert!(!codes.contains(&"BM-901"), "{e}: another county's is not: {codes:?}");

        let other = {
            let mut tx = t.read().await;
            minyi::db::departments::id_by_code(&mut tx, "BM-901").await.unwrap().expect("the new bureau")
        };
        let due = t.app.calendar().add_working_days(t.app.today(), 3).unwrap();
        let forward = Move::Forward {
            assignments: vec![NewAssignment {
                department_id: other,
                role: AssignmentRole::Lead,
                due,
                note: String::new(),
            }],
        };
        cases::act(&t.app, Who::Staff(&admin), CaseRef::Id(&case_id), None, forward)
            .await
            .unwrap_or_else(|err| panic!("{e}: an office may still name any department of its region: {err:?}"));
    }
}
