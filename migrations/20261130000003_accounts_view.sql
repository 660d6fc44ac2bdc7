-- An account as a signed-in request needs it: the user, and the region path, code and
-- name of what the account is attached to (its scope). Written once here, so that the
-- session or API token of a request and its account are read in one query
-- (db::users::{by_session, by_api_token}) as well as by id (db::users::get).
-- A view only: no row changes.
CREATE VIEW accounts AS
SELECT u.id, u.username, u.display_name, u.role, u.active, u.region_id, u.unit_id, u.department_id,
    u.representative_id,
    COALESCE(rg.path, ru.path, rd.path, rp.path, '/') AS scope_path,
    COALESCE(rg.code, un.code, d.code, p.code, '') AS scope_code,
    COALESCE(rg.name, un.name, d.name, p.name, '') AS scope_name
FROM users u
LEFT JOIN regions rg ON rg.id = u.region_id
LEFT JOIN units un ON un.id = u.unit_id LEFT JOIN regions ru ON ru.id = un.region_id
LEFT JOIN departments d ON d.id = u.department_id LEFT JOIN regions rd ON rd.id = d.region_id
LEFT JOIN representatives p ON p.id = u.representative_id LEFT JOIN regions rp ON rp.id = p.region_id;
