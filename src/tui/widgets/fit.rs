//! Tables whose columns fit the terminal, shared by the list screens (Échéances, Sessions,
//! Déclarations, Passeport).
//!
//! Columns are sized from their content: dates, counts and statuses always whole; the room left
//! goes to the text columns by weight, so the title that tells rows apart gets the slack. What
//! still does not fit is shortened so that rows stay distinct: titles abbreviate their common
//! words first (« Habilitation électrique » → « Hab. élec. ») and drop details in brackets before
//! being cut; identifiers keep their distinguishing tail; every cut ends with « … ». A column
//! holding the same value on every row tells nothing apart and gives its room away. The selected
//! row is always readable in full on the detail line under the table, and a `›` marks it besides
//! the reverse video, so that the selection reads without colour too.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, HighlightSpacing, Paragraph, Row, Table, TableState};

use super::list::ListCursor;
use super::sanitize;
use crate::tui::theme::Theme;

/// The mark of the selected row.
pub const SELECTED: &str = "›";

/// Columns between two cells.
const SPACING: u16 = 1;

/// How a column's text is shortened when it does not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Always whole (dates, counts, statuses): the column is as wide as its content.
    Whole,
    /// Free text (names, places): cut at the end, with « … ».
    Text,
    /// A training or session title: common words abbreviated, details in brackets dropped,
    /// then cut with « … » (see [`shorten_title`]).
    Title,
    /// An identifier (a reference): kept whole unless nothing else can give room, then its
    /// distinguishing tail is kept after « … ».
    Identifier,
}

/// One column of a fitted table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FitColumn {
    /// Column title.
    pub header: &'static str,
    /// How its text shortens.
    pub fit: Fit,
    /// Width it keeps before the others grow (text columns) or shrinks to last (identifiers).
    pub min: u16,
    /// Its share of the room left once every column has its minimum.
    pub weight: u16,
    /// Left out when every row holds the same value: it tells no rows apart, and the detail
    /// line still shows it.
    pub drop_if_same: bool,
    /// Left out first when the minimums do not fit (the detail line still shows it).
    pub optional: bool,
}

impl FitColumn {
    /// A column always shown whole.
    pub const fn whole(header: &'static str) -> Self {
        Self {
            header,
            fit: Fit::Whole,
            min: 0,
            weight: 0,
            drop_if_same: false,
            optional: false,
        }
    }

    /// A free-text column.
    pub const fn text(header: &'static str, min: u16, weight: u16) -> Self {
        Self {
            header,
            fit: Fit::Text,
            min,
            weight,
            drop_if_same: false,
            optional: false,
        }
    }

    /// A title column.
    pub const fn title(header: &'static str, min: u16, weight: u16) -> Self {
        Self {
            header,
            fit: Fit::Title,
            min,
            weight,
            drop_if_same: false,
            optional: false,
        }
    }

    /// An identifier column, never narrower than `min` while it has rows.
    pub const fn identifier(header: &'static str, min: u16) -> Self {
        Self {
            header,
            fit: Fit::Identifier,
            min,
            weight: 1,
            drop_if_same: false,
            optional: false,
        }
    }

    /// The same column, left out first on a narrow terminal.
    pub const fn optional(self) -> Self {
        Self {
            optional: true,
            ..self
        }
    }

    /// The same column, left out when every row holds the same value.
    pub const fn drop_if_same(self) -> Self {
        Self {
            drop_if_same: true,
            ..self
        }
    }
}

/// One cell: its full text (shortened when drawn) and style.
#[derive(Debug, Clone, PartialEq)]
pub struct FitCell {
    /// The full text, already sanitised.
    pub text: String,
    /// Its style.
    pub style: Style,
}

impl FitCell {
    /// A cell of server or user text: sanitised here.
    pub fn new(text: &str, style: Style) -> Self {
        Self {
            text: sanitize(text),
            style,
        }
    }

    /// A cell in the plain text style.
    pub fn plain(text: &str) -> Self {
        Self::new(text, Style::new())
    }
}

/// One row of a fitted table.
#[derive(Debug, Clone, PartialEq)]
pub struct FitRow {
    /// One cell per column.
    pub cells: Vec<FitCell>,
    /// Style of the whole row (e.g. muted for a superseded training).
    pub style: Style,
}

impl FitRow {
    /// A row of cells with no style of its own.
    pub fn new(cells: Vec<FitCell>) -> Self {
        Self {
            cells,
            style: Style::new(),
        }
    }
}

fn width_of(text: &str) -> usize {
    Span::raw(text).width()
}

/// What the column widths depend on in the rows: each column's widest cell (its header
/// included) and whether one value fills the whole column. Measuring walks every row; a screen
/// keeps the result between frames ([`MeasureCache`]) and remeasures only when its data or
/// filters change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMeasure {
    /// Widest cell of each column, header included.
    need: Vec<u16>,
    /// True for a column holding the same value on every row (of two rows or more).
    same: Vec<bool>,
}

impl ColumnMeasure {
    /// Measures `rows` under `columns`, in one pass.
    pub fn of<R: std::borrow::Borrow<FitRow>>(
        columns: &[FitColumn],
        rows: impl IntoIterator<Item = R>,
    ) -> Self {
        let mut need: Vec<usize> = columns.iter().map(|c| width_of(c.header)).collect();
        let mut same = vec![true; columns.len()];
        let mut first: Option<Vec<Option<String>>> = None;
        let mut count = 0usize;
        for row in rows {
            let row = row.borrow();
            let text = |i: usize| row.cells.get(i).map(|c| c.text.as_str());
            for (i, widest) in need.iter_mut().enumerate() {
                *widest = (*widest).max(text(i).map_or(0, width_of));
            }
            match &first {
                None => {
                    first = Some(
                        (0..columns.len())
                            .map(|i| text(i).map(str::to_owned))
                            .collect(),
                    )
                }
                Some(first) => {
                    for (i, same) in same.iter_mut().enumerate() {
                        *same = *same && first[i].as_deref() == text(i);
                    }
                }
            }
            count += 1;
        }
        Self {
            need: need
                .into_iter()
                .map(|w| u16::try_from(w).unwrap_or(u16::MAX))
                .collect(),
            same: same.into_iter().map(|s| s && count > 1).collect(),
        }
    }

    /// The width of each column (0 = left out) for a table `available` columns wide, the
    /// selection mark excluded.
    pub fn widths(&self, columns: &[FitColumn], available: u16) -> Vec<u16> {
        let need: Vec<u16> = (0..columns.len())
            .map(|i| self.need.get(i).copied().unwrap_or(0))
            .collect();
        let kept: Vec<bool> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| !(c.drop_if_same && self.same.get(i).copied().unwrap_or(false)))
            .collect();
        fit_widths(columns, &need, kept, available)
    }
}

/// Column measures kept between frames, under the key of what they were measured from (the
/// data's version, the filters...): measured again only when the key changes.
#[derive(Debug)]
pub struct MeasureCache<K> {
    kept: std::cell::RefCell<Option<(K, ColumnMeasure)>>,
}

impl<K> Default for MeasureCache<K> {
    fn default() -> Self {
        Self {
            kept: std::cell::RefCell::new(None),
        }
    }
}

impl<K: PartialEq> MeasureCache<K> {
    /// The measure of `key`: the one kept, or `measure()` when the key changed.
    pub fn get(&self, key: K, measure: impl FnOnce() -> ColumnMeasure) -> ColumnMeasure {
        let mut kept = self.kept.borrow_mut();
        if let Some((k, m)) = &*kept
            && *k == key
        {
            return m.clone();
        }
        let m = measure();
        *kept = Some((key, m.clone()));
        m
    }
}

/// Widths from each column's need and whether it is kept (see [`ColumnMeasure::widths`]).
fn fit_widths(columns: &[FitColumn], need: &[u16], kept: Vec<bool>, available: u16) -> Vec<u16> {
    let mut kept = kept;
    let (mut widths, room, flexible) = loop {
        let count = u16::try_from(kept.iter().filter(|k| **k).count()).unwrap_or(u16::MAX);
        let mut room = available.saturating_sub(count.saturating_sub(1) * SPACING);
        let mut widths = vec![0u16; columns.len()];
        // Whole columns first: they are never shortened.
        for (i, c) in columns.iter().enumerate() {
            if kept[i] && c.fit == Fit::Whole {
                widths[i] = need[i].min(room);
                room -= widths[i];
            }
        }
        let flexible: Vec<usize> = (0..columns.len())
            .filter(|&i| kept[i] && columns[i].fit != Fit::Whole)
            .collect();
        // Identifiers whole, the others at their minimum.
        for &i in &flexible {
            widths[i] = match columns[i].fit {
                Fit::Identifier => need[i],
                _ => need[i].min(columns[i].min),
            };
        }
        let total: u16 = flexible.iter().map(|&i| widths[i]).sum();
        // Minimums too wide: an optional column leaves first, the rightmost one.
        let optional = (0..columns.len())
            .rev()
            .find(|&i| kept[i] && columns[i].optional);
        match optional {
            Some(i) if total > room => kept[i] = false,
            _ => break (widths, room, flexible),
        }
    };
    let floor = |i: usize| match columns[i].fit {
        Fit::Identifier => columns[i].min.min(need[i]),
        _ => 1.min(need[i]),
    };
    // Too wide: identifiers give up to their minimum first, then the widest text column.
    let mut total: u16 = flexible.iter().map(|&i| widths[i]).sum();
    while total > room {
        let identifier = flexible
            .iter()
            .copied()
            .filter(|&i| columns[i].fit == Fit::Identifier && widths[i] > floor(i))
            .max_by_key(|&i| widths[i]);
        let widest = identifier.or_else(|| {
            flexible
                .iter()
                .copied()
                .filter(|&i| widths[i] > floor(i))
                .max_by_key(|&i| widths[i])
        });
        let Some(i) = widest.or_else(|| flexible.iter().copied().find(|&i| widths[i] > 0)) else {
            break;
        };
        widths[i] -= 1;
        total -= 1;
    }
    // Room left: shared by weight among the columns that want more.
    let mut spare = room.saturating_sub(total);
    while spare > 0 {
        let open: Vec<usize> = flexible
            .iter()
            .copied()
            .filter(|&i| widths[i] < need[i])
            .collect();
        let weights: u32 = open
            .iter()
            .map(|&i| u32::from(columns[i].weight.max(1)))
            .sum();
        if open.is_empty() {
            break;
        }
        let round = spare;
        for &i in &open {
            let share = u32::from(round) * u32::from(columns[i].weight.max(1)) / weights;
            let share = u16::try_from(share.max(1))
                .unwrap_or(u16::MAX)
                .min(need[i] - widths[i])
                .min(spare);
            widths[i] += share;
            spare -= share;
            if spare == 0 {
                break;
            }
        }
    }
    widths
}

/// `text` in `width` columns, shortened the way `fit` says.
pub fn shorten(text: &str, width: usize, fit: Fit) -> String {
    if width_of(text) <= width {
        return text.to_owned();
    }
    match fit {
        Fit::Title => shorten_title(text, width),
        Fit::Identifier => keep_tail(text, width),
        Fit::Whole | Fit::Text => cut(text, width),
    }
}

/// Cuts `text` to `width` columns, ending with « … ».
pub fn cut(text: &str, width: usize) -> String {
    if width_of(text) <= width {
        return text.to_owned();
    }
    if width == 0 {
        return String::new();
    }
    let mut kept = String::new();
    for c in text.chars() {
        if width_of(&kept) + width_of(c.encode_utf8(&mut [0; 4])) > width - 1 {
            break;
        }
        kept.push(c);
    }
    format!("{}…", kept.trim_end())
}

/// « … » then the end of `text`: the part of an identifier that tells it apart.
fn keep_tail(text: &str, width: usize) -> String {
    if width == 0 {
        return String::new();
    }
    let chars: Vec<char> = text.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(width - 1)..]
        .iter()
        .collect();
    format!("…{tail}")
}

/// Words common to many training titles and their usual abbreviations (presentation only; the
/// full title stays on the detail line). Applied in this order.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("Habilitation électrique", "Hab. élec."),
    ("Maintien et actualisation des compétences", "MAC"),
    ("plates-formes élévatrices mobiles de personnes", "PEMP"),
    ("chariots de manutention automoteurs", "chariots"),
    ("service de sécurité incendie", "SSI"),
    ("entreprises extérieures", "entr. ext."),
    ("sous-section", "SS"),
    ("Prévention", "Prév."),
    (" / ", "/"),
];

/// True for a bracketed acronym such as `SST`, `MAC SST` or `PEMP`.
fn is_acronym(text: &str) -> bool {
    !text.is_empty()
        && text.chars().count() <= 10
        && text
            .chars()
            .all(|c| c.is_uppercase() || c.is_ascii_digit() || c == ' ')
}

/// The bracketed parts of `text`: (start, end) byte ranges, brackets and the space before
/// them included, and their content.
fn bracketed(text: &str) -> Vec<(usize, usize, &str)> {
    let mut parts = Vec::new();
    let mut rest = 0;
    while let Some(open) = text[rest..].find('(').map(|o| o + rest) {
        let Some(close) = text[open..].find(')').map(|c| c + open) else {
            break;
        };
        let start = if text[..open].ends_with(' ') {
            open - 1
        } else {
            open
        };
        parts.push((start, close + 1, &text[open + 1..close]));
        rest = close + 1;
    }
    parts
}

/// Removes the bracketed parts `keep` refuses.
fn drop_bracketed(text: &str, drop: impl Fn(&str, &str) -> bool) -> String {
    let mut out = String::new();
    let mut last = 0;
    for (start, end, inner) in bracketed(text) {
        let outside = format!("{}{}", &text[..start], &text[end..]);
        if drop(inner, &outside) {
            out.push_str(&text[last..start]);
            last = end;
        }
    }
    out.push_str(&text[last..]);
    out
}

/// A title shortened to `width` columns, each step kept only while the result is still too
/// long: common words abbreviated; a bracketed acronym already in the title removed; other
/// bracketed details removed; a remaining acronym moved first (`SST · Sauveteur…`); then cut.
pub fn shorten_title(text: &str, width: usize) -> String {
    if width_of(text) <= width {
        return text.to_owned();
    }
    let mut short = text.to_owned();
    for (long, abbreviation) in ABBREVIATIONS {
        short = short.replace(long, abbreviation);
    }
    short = drop_bracketed(&short, |inner, outside| {
        is_acronym(inner) && outside.contains(inner)
    });
    if width_of(&short) <= width {
        return short;
    }
    short = drop_bracketed(&short, |inner, _| !is_acronym(inner));
    if width_of(&short) <= width {
        return short;
    }
    if let Some(&(start, end, inner)) = bracketed(&short).last() {
        short = format!("{inner} · {}{}", &short[..start], &short[end..]);
    }
    cut(&short, width)
}

/// A fitted table: its columns, every row (the widths follow all of them, not only those on
/// screen, so they do not jump while scrolling) and the selected row in full.
#[derive(Debug, Clone)]
pub struct FittedTable<'a> {
    /// The columns.
    pub columns: &'a [FitColumn],
    /// Every row.
    pub rows: Vec<FitRow>,
    /// The selected row in full (see [`detail`]), drawn under the table.
    pub detail: Option<String>,
}

/// Lines the detail may take: one, or two when it does not fit in one and the table keeps
/// room.
fn detail_lines(detail: &str, width: u16, height: u16) -> Vec<String> {
    let width = usize::from(width).max(1);
    let text = format!("{SELECTED} {detail}");
    if width_of(&text) <= width || height < 8 {
        return vec![cut(&text, width)];
    }
    let mut lines = super::wrap(&text, width);
    if lines.len() > 2 {
        let rest = lines.split_off(1).join(" ");
        lines.push(cut(&rest, width));
    }
    lines.iter().map(|l| cut(l, width)).collect()
}

/// Draws `table` in `area`: header, the rows that fit around the cursor's selection (marked
/// `›` and highlighted), and the detail line. The widths follow every row.
pub fn render_fitted(
    frame: &mut Frame<'_>,
    area: Rect,
    cursor: &ListCursor,
    table: FittedTable<'_>,
    theme: &Theme,
) {
    let measure = ColumnMeasure::of(table.columns, &table.rows);
    let rows = &table.rows;
    render_window(
        frame,
        area,
        cursor,
        FittedWindow {
            columns: table.columns,
            measure: &measure,
            len: rows.len(),
            row: &|i| rows.get(i).cloned(),
            detail: table.detail,
        },
        theme,
    );
}

/// A fitted table of many rows: widths from a measure kept between frames, and only the rows
/// on screen built, by index.
pub struct FittedWindow<'a> {
    /// The columns.
    pub columns: &'a [FitColumn],
    /// The measure of every row (see [`MeasureCache`]).
    pub measure: &'a ColumnMeasure,
    /// How many rows there are.
    pub len: usize,
    /// Builds row `i`.
    pub row: &'a dyn Fn(usize) -> Option<FitRow>,
    /// The selected row in full (see [`detail`]), drawn under the table.
    pub detail: Option<String>,
}

/// Draws `table` like [`render_fitted`], building only the rows on screen.
pub fn render_window(
    frame: &mut Frame<'_>,
    area: Rect,
    cursor: &ListCursor,
    table: FittedWindow<'_>,
    theme: &Theme,
) {
    let detail = match &table.detail {
        Some(d) if area.height > 3 => detail_lines(d, area.width, area.height),
        _ => Vec::new(),
    };
    let detail_height = u16::try_from(detail.len()).unwrap_or(0);
    // The detail right under the last row, so the eye does not travel to find it.
    let table_height = u16::try_from(table.len + 1)
        .unwrap_or(u16::MAX)
        .min(area.height.saturating_sub(detail_height));
    let [table_area, detail_area, _] = Layout::vertical([
        Constraint::Length(table_height),
        Constraint::Length(detail_height),
        Constraint::Min(0),
    ])
    .areas(area);
    let mark = u16::try_from(width_of(SELECTED)).unwrap_or(1);
    let widths = table
        .measure
        .widths(table.columns, table_area.width.saturating_sub(mark));
    let shown: Vec<usize> = (0..table.columns.len())
        .filter(|&i| widths[i] > 0)
        .collect();
    // The table as wide as its columns: the selection bar ends with the last one, so a cursor
    // move does not rewrite the blank cells of a wide terminal.
    let used = shown.iter().map(|&i| widths[i]).sum::<u16>()
        + mark
        + SPACING * u16::try_from(shown.len().saturating_sub(1)).unwrap_or(0);
    let table_area = Rect {
        width: table_area.width.min(used),
        ..table_area
    };
    let height = usize::from(table_area.height.saturating_sub(1));
    let offset = cursor.viewport(height, table.len);
    let rows: Vec<Row> = (offset..table.len.min(offset.saturating_add(height)))
        .filter_map(|i| (table.row)(i))
        .map(|row| {
            let cells: Vec<Cell> = shown
                .iter()
                .map(|&i| {
                    let (text, style) =
                        row.cells.get(i).map_or((String::new(), Style::new()), |c| {
                            let fit = table.columns[i].fit;
                            (shorten(&c.text, usize::from(widths[i]), fit), c.style)
                        });
                    Cell::from(Span::styled(text, style))
                })
                .collect();
            Row::new(cells).style(row.style)
        })
        .collect();
    let header = Row::new(
        shown
            .iter()
            .map(|&i| cut(table.columns[i].header, usize::from(widths[i]))),
    );
    let widget = Table::new(rows, shown.iter().map(|&i| Constraint::Length(widths[i])))
        .column_spacing(SPACING)
        .header(header.style(theme.title))
        .row_highlight_style(theme.selection)
        .highlight_symbol(SELECTED)
        .highlight_spacing(HighlightSpacing::Always);
    let mut state =
        TableState::default().with_selected(Some(cursor.selected().saturating_sub(offset)));
    frame.render_stateful_widget(widget, table_area, &mut state);
    if !detail.is_empty() {
        let lines: Vec<Line> = detail
            .into_iter()
            .map(|l| Line::styled(l, theme.text))
            .collect();
        frame.render_widget(Paragraph::new(lines), detail_area);
    }
}

/// The detail of the selected row: its parts in full, sanitised, separated by « · ».
pub fn detail(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| sanitize(p))
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_abbreviate_their_common_part_and_keep_what_tells_them_apart() {
        let b0 = "Habilitation électrique B0 / H0 / H0V (exécutant non électricien)";
        let b1 = "Habilitation électrique B1 / B2 / BR / BC (électricien basse tension)";
        let bs = "Habilitation électrique BS / BE manœuvre (interventions élémentaires, manœuvres)";
        assert_eq!(shorten_title(b0, 22), "Hab. élec. B0/H0/H0V");
        assert_eq!(shorten_title(b1, 22), "Hab. élec. B1/B2/BR/BC");
        assert_eq!(shorten_title(bs, 22), "Hab. élec. BS/BE manœ…");
        assert_eq!(
            shorten_title(b0, 60),
            "Hab. élec. B0/H0/H0V (exécutant non électricien)"
        );
        assert_eq!(shorten_title(b0, 200), b0, "whole when it fits");
        let mac = "Maintien et actualisation des compétences SST (MAC SST)";
        assert_eq!(shorten_title(mac, 14), "MAC SST");
        let sst = "Sauveteur secouriste du travail (SST)";
        assert_eq!(shorten_title(sst, 18), "SST · Sauveteur s…");
        let pemp = "CACES R486 : plates-formes élévatrices mobiles de personnes (PEMP)";
        assert_eq!(shorten_title(pemp, 22), "CACES R486 : PEMP");
        let tms = "Prévention des troubles musculosquelettiques (TMS)";
        assert_eq!(shorten_title(tms, 20), "TMS · Prév. des tro…");
    }

    #[test]
    fn every_cut_ends_with_an_ellipsis_and_fits() {
        for fit in [Fit::Text, Fit::Title, Fit::Identifier] {
            for width in 1..30 {
                let short = shorten("Travail en hauteur et port du harnais", width, fit);
                assert!(width_of(&short) <= width, "{fit:?} {width}: {short}");
                assert!(short.contains('…'), "{fit:?} {width}: {short}");
            }
        }
        assert_eq!(cut("DUPONT Marie-Ève", 10), "DUPONT Ma…");
        assert_eq!(cut("DUPONT Marie-Ève", 7), "DUPONT…");
        assert_eq!(cut("abc", 0), "");
        assert_eq!(cut("SST", 3), "SST");
        assert_eq!(
            cut("CACES R489 chariots", 12),
            "CACES R489…",
            "no space before the mark"
        );
    }

    #[test]
    fn identifiers_keep_their_distinguishing_tail() {
        assert_eq!(
            shorten("FORMAPREV-2026-000123", 12, Fit::Identifier),
            "…2026-000123"
        );
        assert_eq!(
            shorten("PDP-2026-0002", 13, Fit::Identifier),
            "PDP-2026-0002"
        );
    }

    fn column_widths(columns: &[FitColumn], rows: &[FitRow], available: u16) -> Vec<u16> {
        ColumnMeasure::of(columns, rows).widths(columns, available)
    }

    fn rows(values: &[[&str; 3]]) -> Vec<FitRow> {
        values
            .iter()
            .map(|r| FitRow::new(r.iter().map(|v| FitCell::plain(v)).collect()))
            .collect()
    }

    #[test]
    fn columns_are_sized_from_their_content_and_the_title_gets_the_slack() {
        let columns = [
            FitColumn::whole("Date"),
            FitColumn::text("Nom", 8, 1),
            FitColumn::title("Intitulé", 10, 3),
        ];
        let data = rows(&[
            [
                "01/01/2026",
                "DUPONT Jean",
                "Sauveteur secouriste du travail (SST)",
            ],
            ["02/01/2026", "LI Wu", "Gestes et postures"],
        ]);
        // Everything fits: each column as wide as its content, nothing more.
        assert_eq!(column_widths(&columns, &data, 80), [10, 11, 37]);
        // Short of room: the date stays whole, the title gets three times the name's share.
        let widths = column_widths(&columns, &data, 40);
        assert_eq!(widths[0], 10);
        assert_eq!(widths.iter().sum::<u16>() + 2, 40);
        assert!(widths[2] > widths[1], "{widths:?}");
    }

    #[test]
    fn identifiers_stay_whole_while_text_can_give_room() {
        let columns = [
            FitColumn::identifier("Référence", 8),
            FitColumn::title("Formation", 10, 1),
            FitColumn::whole("Statut"),
        ];
        let data = rows(&[
            [
                "FORMAPREV-2026-000123",
                "CACES R485 : chariots",
                "Enregistrée",
            ],
            [
                "FORMAPREV-2026-000124",
                "Habilitation électrique B1",
                "Enregistrée",
            ],
        ]);
        let widths = column_widths(&columns, &data, 50);
        assert_eq!(widths, [21, 16, 11]);
        let widths = column_widths(&columns, &data, 28);
        assert_eq!(widths[2], 11);
        assert!(widths[0] >= 8 && widths[0] < 21, "{widths:?}");
    }

    #[test]
    fn a_column_with_one_value_for_every_row_gives_its_room_away() {
        let columns = [
            FitColumn::whole("Date"),
            FitColumn::text("Organisme", 8, 1).drop_if_same(),
            FitColumn::title("Intitulé", 10, 3),
        ];
        let same = rows(&[["01/01", "ACME", "SST"], ["02/01", "ACME", "PRAP"]]);
        assert_eq!(column_widths(&columns, &same, 80), [5, 0, 8]);
        let one = rows(&[["01/01", "ACME", "SST"]]);
        assert_eq!(column_widths(&columns, &one, 80)[1], 9, "one row: kept");
    }

    #[test]
    fn an_optional_column_leaves_before_the_title_is_cut_to_its_minimum() {
        let columns = [
            FitColumn::whole("Date"),
            FitColumn::title("Intitulé", 10, 3),
            FitColumn::text("Site", 8, 1).optional(),
        ];
        let data = rows(&[["01/01/2026", "Gestes et postures", "Marseille Port"]]);
        assert_eq!(column_widths(&columns, &data, 40), [10, 18, 10]);
        assert_eq!(column_widths(&columns, &data, 24), [10, 13, 0]);
    }
}
