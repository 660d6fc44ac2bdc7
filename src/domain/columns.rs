//! The spreadsheet columns of each kind of record: the field name and the Chinese
//! header offices use. Imports accept either; exports write the Chinese header, so
//! an exported file can be edited and imported again.

use super::permission::Resource;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub field: &'static str,
    pub header: &'static str,
    /// A row without this column cannot be understood.
    pub required: bool,
}

const fn col(field: &'static str, header: &'static str, required: bool) -> Column {
    Column { field, header, required }
}

const REGIONS: &[Column] = &[
    col("code", "代码", true),
    col("name", "名称", true),
    col("level", "层级", true),
    col("parent_code", "上级代码", false),
];

const UNITS: &[Column] = &[
    col("code", "编号", true),
    col("kind", "类型", true),
    col("studio_kind", "工作室类别", false),
    col("name", "名称", true),
    col("region_code", "所属区域代码", true),
    col("address", "地址", false),
    col("opening_hours", "开放时间", false),
    col("reception_days", "接待日", false),
    col("contact_name", "联系人", false),
    col("contact_phone", "联系电话", false),
    col("service_fields", "服务领域", false),
    col("sector", "界别", false),
    col("online", "线上开通", false),
    col("active", "启用", false),
];

const REPRESENTATIVES: &[Column] = &[
    col("code", "编号", true),
    col("body", "类别", true),
    col("name", "姓名", true),
    col("gender", "性别", false),
    col("level", "代表层级", false),
    col("sector", "界别", false),
    col("region_code", "所属区域代码", true),
    col("title", "职务", false),
    col("mobile", "手机", false),
    col("profile", "简介", false),
    col("unit_codes", "所在站室编号", false),
    col("active", "启用", false),
];

const DEPARTMENTS: &[Column] = &[
    col("code", "编号", true),
    col("name", "名称", true),
    col("region_code", "所属区域代码", true),
    col("fields", "办理领域", false),
    col("supervising_office", "督办机关", false),
    col("contact_phone", "联系电话", false),
    col("active", "启用", false),
];

const USERS: &[Column] = &[
    col("username", "用户名", true),
    col("display_name", "姓名", true),
    col("role", "角色", true),
    col("scope_code", "归属编号", false),
    col("password", "初始密码", false),
    col("active", "启用", false),
];

const MEETINGS: &[Column] = &[
    col("unit_code", "站室编号", false),
    col("kind", "会议类型", true),
    col("title", "会议名称", true),
    col("starts_at", "开始时间", true),
    col("place", "地点", true),
    col("agenda", "议题", false),
    col("state", "状态", false),
    col("citizens", "来访群众人数", false),
    col("representatives", "接待代表", false),
];

/// The columns of a kind of record; the admin log has none (it is not imported).
pub fn columns(resource: Resource) -> &'static [Column] {
    match resource {
        Resource::Region => REGIONS,
        Resource::Unit => UNITS,
        Resource::Representative => REPRESENTATIVES,
        Resource::Department => DEPARTMENTS,
        Resource::User => USERS,
        Resource::Meeting => MEETINGS,
        Resource::AdminLog | Resource::Setting => &[],
    }
}

/// The column a header names, by field name or Chinese header (spaces and a
/// trailing `*` marking required columns are ignored).
pub fn column_for_header(resource: Resource, header: &str) -> Option<Column> {
    let header = header.trim().trim_end_matches('*').trim();
    columns(resource).iter().copied().find(|c| c.field.eq_ignore_ascii_case(header) || c.header == header)
}
