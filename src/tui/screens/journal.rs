//! Journal (issue 17 §3), for administrators only: the account's audit trail, newest first, a
//! page at a time (the next one loads when the selection reaches the last row), filtered by
//! kind of thing (`t`) and by user (`u`): when, who, what, on what, and the changed fields
//! before → after (NIRs come masked from the server).

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use serde_json::Value;

use super::{Cx, Screen};
use crate::api::ApiError;
use crate::api::contract::{AuditEntry, AuditQuery, Page};
use crate::text::count;
use crate::tui::action::{Request, RequestId, Response, unexpected};
use crate::tui::keymap::{Command, Context};
use crate::tui::remote::Remote;
use crate::tui::theme::Theme;
use crate::tui::widgets::fit::{
    ColumnMeasure, FitCell, FitColumn, FitRow, FittedWindow, MeasureCache, detail, render_window,
};
use crate::tui::widgets::list::ListCursor;
use crate::tui::widgets::{sanitize, state_message};

/// Entries asked for at a time.
pub const PAGE: u32 = 50;

/// Columns: the change gets the room the others leave.
const COLUMNS: [FitColumn; 5] = [
    FitColumn::whole("Quand (UTC)"),
    FitColumn::text("Qui", 8, 1),
    FitColumn::text("Action", 8, 1),
    FitColumn::text("Objet", 8, 1),
    FitColumn::text("Avant → après", 24, 6),
];

/// A value of the trail as read: text without quotes, nothing as « — ».
fn value_text(value: &Value) -> String {
    match value {
        Value::Null => "—".to_owned(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The changed fields of an entry, each `champ : avant → après` (a creation: `champ : valeur`;
/// a removal: `champ : avant → —`), joined by « · ».
pub fn change_summary(entry: &AuditEntry) -> String {
    let empty = serde_json::Map::new();
    let side = |value: &Option<Value>| match value {
        Some(Value::Object(map)) => Some(map.clone()),
        Some(other) => {
            let mut map = serde_json::Map::new();
            map.insert("valeur".to_owned(), other.clone());
            Some(map)
        }
        None => None,
    };
    let (before, after) = (side(&entry.before), side(&entry.after));
    let keys: Vec<&String> = match (&before, &after) {
        (Some(old), Some(new)) => old
            .keys()
            .chain(new.keys().filter(|k| !old.contains_key(*k)))
            .collect(),
        (Some(old), None) => old.keys().collect(),
        (None, Some(new)) => new.keys().collect(),
        (None, None) => Vec::new(),
    };
    keys.into_iter()
        .map(|key| {
            let was = before.as_ref().unwrap_or(&empty).get(key);
            let is = after.as_ref().unwrap_or(&empty).get(key);
            match (before.is_some(), was, is) {
                (false, _, Some(is)) => format!("{key} : {}", value_text(is)),
                (_, was, is) => format!(
                    "{key} : {} → {}",
                    was.map_or_else(|| "—".to_owned(), value_text),
                    is.map_or_else(|| "—".to_owned(), value_text)
                ),
            }
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The thing an entry is about: its kind and identifier.
fn object(entry: &AuditEntry) -> String {
    format!("{} {}", entry.entity, entry.entity_id)
}

/// The row of one entry.
fn fit_row(entry: &AuditEntry) -> FitRow {
    FitRow::new(vec![
        FitCell::plain(&entry.at.format("%d/%m/%Y %H:%M").to_string()),
        FitCell::plain(&entry.user),
        FitCell::plain(&entry.action),
        FitCell::plain(&object(entry)),
        FitCell::plain(&change_summary(entry)),
    ])
}

/// The next value of a filter among `known`, then none.
fn next_filter(current: Option<&String>, known: &[String]) -> Option<String> {
    match current {
        None => known.first().cloned(),
        Some(value) => known
            .iter()
            .position(|k| k == value)
            .and_then(|p| known.get(p + 1))
            .cloned(),
    }
}

/// State of the Journal screen.
#[derive(Debug, Default)]
pub struct JournalScreen {
    /// The entries loaded so far (every page asked), newest first, and the cursor of the next.
    pub data: Remote<Page<AuditEntry>>,
    /// The request of the next page, while in flight.
    more: Option<RequestId>,
    /// Why the next page did not load.
    more_error: Option<String>,
    /// Only entries on this kind of thing.
    pub entity: Option<String>,
    /// Only entries of this user.
    pub user: Option<String>,
    /// The kinds of thing seen so far, sorted: what `t` cycles through.
    entities: Vec<String>,
    /// The users seen so far, sorted: what `u` cycles through.
    users: Vec<String>,
    /// Selection.
    pub cursor: ListCursor,
    /// The column widths' measure of the entries shown.
    measure: MeasureCache<u64>,
}

impl JournalScreen {
    /// The entries loaded, newest first.
    pub fn entries(&self) -> &[AuditEntry] {
        self.data.data().map_or(&[], |page| page.items.as_slice())
    }

    /// True while more entries than those loaded match the filters.
    pub fn has_more(&self) -> bool {
        self.data.data().is_some_and(|p| p.next_cursor.is_some())
    }

    fn query(&self, cursor: Option<String>) -> AuditQuery {
        AuditQuery {
            entity: self.entity.clone(),
            user: self.user.clone(),
            newest_first: Some(true),
            limit: Some(PAGE),
            cursor,
            ..AuditQuery::default()
        }
    }

    /// Loads the first page again (a newer answer replaces it; a next page in flight is dropped).
    fn load(&mut self, cx: &mut Cx<'_>) {
        self.more = None;
        self.more_error = None;
        let id = cx.request(Request::Audit(self.query(None)));
        self.data.start(id);
    }

    /// Asks for the next page once the selection is on the last row loaded.
    fn load_more(&mut self, cx: &mut Cx<'_>) {
        let last = self.entries().len().saturating_sub(1);
        let next = self.data.data().and_then(|p| p.next_cursor.clone());
        if let Some(cursor) = next
            && self.cursor.selected() >= last
            && self.more.is_none()
            && !self.data.is_loading()
        {
            self.more_error = None;
            self.more = Some(cx.request(Request::Audit(self.query(Some(cursor)))));
        }
    }

    /// Remembers the kinds of thing and users of `entries` for the filters.
    fn learn(&mut self, entries: &[AuditEntry]) {
        for entry in entries {
            if !self.entities.contains(&entry.entity) {
                self.entities.push(entry.entity.clone());
            }
            if !self.users.contains(&entry.user) {
                self.users.push(entry.user.clone());
            }
        }
        self.entities.sort();
        self.users.sort();
    }

    /// The filter line: counts, what loads next, the filters and their keys.
    fn summary(&self) -> String {
        let loaded = self.entries().len() as u64;
        let more = if self.more.is_some() {
            " (chargement de la suite…)".to_owned()
        } else if let Some(error) = &self.more_error {
            format!(" (suite non chargée : {error})")
        } else if self.has_more() {
            " (suite en bas de liste)".to_owned()
        } else {
            String::new()
        };
        let filter = |value: &Option<String>| value.as_deref().map_or("Tous", |v| v).to_owned();
        format!(
            " {}{more} · Objet : {} (t) · Qui : {} (u)",
            count(loaded, "entrée", "entrées"),
            sanitize(&filter(&self.entity)),
            sanitize(&filter(&self.user)),
        )
    }
}

impl Screen for JournalScreen {
    fn contexts(&self) -> &'static [Context] {
        &[Context::Journal, Context::List]
    }

    fn offers(&self, command: Command) -> bool {
        match command {
            Command::FilterEntity => !self.entities.is_empty(),
            Command::FilterUser => !self.users.is_empty(),
            _ => true,
        }
    }

    fn on_enter(&mut self, cx: &mut Cx<'_>) {
        if self.data.is_idle() {
            self.load(cx);
        }
    }

    fn refresh(&mut self, cx: &mut Cx<'_>) {
        self.load(cx);
    }

    fn on_command(&mut self, command: Command, cx: &mut Cx<'_>) -> bool {
        let len = self.entries().len();
        if self.cursor.apply(command, len) {
            self.load_more(cx);
            return true;
        }
        match command {
            Command::FilterEntity => {
                self.entity = next_filter(self.entity.as_ref(), &self.entities);
            }
            Command::FilterUser => {
                self.user = next_filter(self.user.as_ref(), &self.users);
            }
            _ => return false,
        }
        self.cursor.select(0, 0);
        self.load(cx);
        true
    }

    fn on_response(&mut self, id: RequestId, result: Result<Response, ApiError>, _cx: &mut Cx<'_>) {
        let result = result.and_then(|r| match r {
            Response::Audit(page) => Ok(page),
            _ => Err(unexpected()),
        });
        if self.more == Some(id) {
            self.more = None;
            match result {
                Ok(next) => {
                    self.learn(&next.items);
                    if let Some(page) = self.data.data_mut() {
                        page.items.extend(next.items);
                        page.next_cursor = next.next_cursor;
                    }
                }
                Err(error) => self.more_error = Some(error.to_string()),
            }
            return;
        }
        if let Ok(page) = &result {
            self.learn(&page.items);
        }
        if self.data.finish(id, result) {
            let len = self.entries().len();
            self.cursor.select(self.cursor.selected(), len);
        }
    }

    fn on_click(&mut self, row: u16, _cx: &mut Cx<'_>) {
        // The filter line, then the table header.
        if row >= 2 {
            let len = self.entries().len();
            self.cursor.click(usize::from(row - 2), len);
        }
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: &Theme, _today: NaiveDate) {
        let [summary_area, table_area] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        if self.data.data().is_none() {
            state_message(
                frame,
                area,
                theme,
                self.data.is_loading(),
                self.data.error(),
                None,
            );
            return;
        }
        frame.render_widget(
            Paragraph::new(Line::styled(self.summary(), theme.muted)),
            summary_area,
        );
        let entries = self.entries();
        let empty = if self.entity.is_some() || self.user.is_some() {
            "Aucune entrée pour ces filtres : t ou u pour en changer."
        } else {
            "Aucune entrée : le journal se remplit à chaque modification."
        };
        if state_message(
            frame,
            table_area,
            theme,
            false,
            None,
            entries.is_empty().then_some(empty),
        ) {
            return;
        }
        let measure = self.measure.get(self.data.version(), || {
            ColumnMeasure::of(&COLUMNS, entries.iter().map(fit_row))
        });
        let selected = entries.get(self.cursor.selected()).map(|entry| {
            detail(&[
                &format!("{} {}", entry.action, object(entry)),
                &entry.user,
                &change_summary(entry),
            ])
        });
        render_window(
            frame,
            table_area,
            &self.cursor,
            FittedWindow {
                columns: &COLUMNS,
                measure: &measure,
                len: entries.len(),
                row: &|i| entries.get(i).map(fit_row),
                detail: selected,
            },
            theme,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use serde_json::json;

    fn entry(before: Option<Value>, after: Option<Value>) -> AuditEntry {
        AuditEntry {
            id: 1,
            at: Utc.with_ymd_and_hms(2026, 11, 26, 9, 30, 0).unwrap(),
            user: "sam@acme.fr".to_owned(),
            action: "modification".to_owned(),
            entity: "salarié".to_owned(),
            entity_id: "7".to_owned(),
            before,
            after,
        }
    }

    #[test]
    fn a_change_reads_field_by_field_before_and_after() {
        let changed = entry(
            Some(json!({"job": "cariste", "site": null})),
            Some(json!({"job": "magasinier", "site": "Lyon"})),
        );
        assert_eq!(
            change_summary(&changed),
            "job : cariste → magasinier · site : — → Lyon"
        );
        let created = entry(
            None,
            Some(json!({"last_name": "DUPONT", "archived": false})),
        );
        assert_eq!(
            change_summary(&created),
            "archived : false · last_name : DUPONT"
        );
        let removed = entry(Some(json!({"removed": false})), None);
        assert_eq!(change_summary(&removed), "removed : false → —");
    }

    #[test]
    fn filters_cycle_through_what_was_seen_then_none() {
        let known = vec!["export".to_owned(), "salarié".to_owned()];
        assert_eq!(next_filter(None, &known).as_deref(), Some("export"));
        assert_eq!(
            next_filter(Some(&known[0]), &known).as_deref(),
            Some("salarié")
        );
        assert_eq!(next_filter(Some(&known[1]), &known), None);
    }
}
