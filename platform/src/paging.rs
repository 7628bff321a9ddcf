//! Cursor pagination shared by every list: a bounded `limit`, an opaque cursor (the last id of
//! the previous page: ids are UUIDv7, ordered by time), and one extra row fetched to tell
//! whether a next page exists.

use uuid::Uuid;

use crate::error::{Error, Result};

/// Rows on a page when the caller does not say.
pub const DEFAULT_LIMIT: u64 = 50;
/// The most rows on one page.
pub const MAX_LIMIT: u64 = 200;

/// The page size asked for, checked against 1 ..= [`MAX_LIMIT`].
pub fn limit(requested: Option<u64>) -> Result<u64> {
    let n = requested.unwrap_or(DEFAULT_LIMIT);
    if (1..=MAX_LIMIT).contains(&n) {
        Ok(n)
    } else {
        Err(Error::invalid(
            "limit",
            format!("limit must be 1 to {MAX_LIMIT}"),
        ))
    }
}

/// The id a cursor stands for.
pub fn cursor(raw: Option<&str>) -> Result<Option<Uuid>> {
    raw.map(|c| {
        Uuid::parse_str(c).map_err(|_| Error::invalid_param("cursor", "the cursor is not valid"))
    })
    .transpose()
}

/// `rows` (fetched with `limit + 1`) cut to one page, and the cursor of the next page if the
/// extra row showed there is one.
pub fn split<T>(mut rows: Vec<T>, limit: u64, id: impl Fn(&T) -> Uuid) -> (Vec<T>, Option<String>) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() > limit {
        rows.truncate(limit);
        let next = rows.last().map(|r| id(r).to_string());
        (rows, next)
    } else {
        (rows, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_cursors_and_pages() {
        assert_eq!(limit(None).ok(), Some(DEFAULT_LIMIT));
        assert!(limit(Some(0)).is_err() && limit(Some(MAX_LIMIT + 1)).is_err());
        assert!(cursor(Some("zz")).is_err());
        let id = Uuid::now_v7();
        assert_eq!(cursor(Some(&id.to_string())).ok(), Some(Some(id)));
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let (page, next) = split(ids.clone(), 2, |u| *u);
        assert_eq!((page.len(), next), (2, Some(ids[1].to_string())));
        let (page, next) = split(ids, 3, |u| *u);
        assert_eq!((page.len(), next), (3, None));
    }
}
