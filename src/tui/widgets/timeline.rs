//! The expiry timeline of the Passeport screen: one row per training type, a bar from the
//! validity start (else the training end date) to the expiry, coloured by status, a `│` line for
//! today and an axis of month ticks labelled with abbreviated French month names (the year at
//! January).
//!
//! The maths is pure and tested here: [`column()`] maps a date to a column, [`bar_columns`] clips a
//! bar to the window, [`TimelineView`] holds zoom and scroll and gives the window shown.

use chrono::{Datelike, Months, NaiveDate};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::Widget;

use super::sanitize;
use crate::domain::expiry::ExpiryStatus;
use crate::tui::theme::Theme;

/// Abbreviated French month names, January first.
pub const FRENCH_MONTHS: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];

/// Zoom presets: the months the window spans (6 months, 1, 2, 3, 5 and 10 years).
pub const SPANS_MONTHS: [u32; 6] = [6, 12, 24, 36, 60, 120];

/// The default preset: 3 years.
const DEFAULT_ZOOM: usize = 3;

/// Candidate month steps between ticks or labels, finest first.
const MONTH_STEPS: [u32; 7] = [1, 3, 6, 12, 24, 60, 120];

/// Least columns between two ticks.
const TICK_MIN_COLUMNS: i64 = 2;

/// Least columns between two month labels (the widest label, `janv.`, plus a space).
const LABEL_MIN_COLUMNS: i64 = 6;

/// The text over today's line.
const TODAY_LABEL: &str = "auj.";

/// `date` moved by `months` (negative: back), the day clamped to the month's length; `date`
/// itself if that would leave chrono's calendar.
pub fn add_months(date: NaiveDate, months: i32) -> NaiveDate {
    let moved = if months >= 0 {
        date.checked_add_months(Months::new(months.unsigned_abs()))
    } else {
        date.checked_sub_months(Months::new(months.unsigned_abs()))
    };
    moved.unwrap_or(date)
}

/// The column (0-based) of `date` in a window `[start, end)` drawn over `width` columns, or
/// `None` when the date is outside the window. Each column covers the same share of days, so
/// the mapping is monotonic and the window's last day falls in the last column.
pub fn column(date: NaiveDate, start: NaiveDate, end: NaiveDate, width: u16) -> Option<u16> {
    if width == 0 || date < start || date >= end {
        return None;
    }
    let total = (end - start).num_days();
    let offset = (date - start).num_days();
    u16::try_from(offset * i64::from(width) / total).ok()
}

/// The columns a bar covers once clipped to the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarColumns {
    /// First column drawn.
    pub first: u16,
    /// Last column drawn (inclusive).
    pub last: u16,
    /// The bar starts before the window.
    pub clipped_left: bool,
    /// The bar ends after the window (or never, when it has no end).
    pub clipped_right: bool,
}

/// Where the bar from `from` to `to` (inclusive; `None`: no end) falls in the window
/// `[start, end)` over `width` columns; `None` when it is entirely outside or `to < from`.
pub fn bar_columns(
    from: NaiveDate,
    to: Option<NaiveDate>,
    start: NaiveDate,
    end: NaiveDate,
    width: u16,
) -> Option<BarColumns> {
    let last_day = end.pred_opt()?;
    if width == 0 || start >= end || from > last_day || to.is_some_and(|to| to < start || to < from)
    {
        return None;
    }
    let first = column(from.max(start), start, end, width)?;
    let last = column(
        to.map_or(last_day, |to| to.min(last_day)),
        start,
        end,
        width,
    )?;
    Some(BarColumns {
        first,
        last,
        clipped_left: from < start,
        clipped_right: to.is_none_or(|to| to > last_day),
    })
}

/// The text of a month tick: the year at January, else the abbreviated French month.
pub fn month_label(first_of_month: NaiveDate) -> String {
    if first_of_month.month() == 1 {
        first_of_month.year().to_string()
    } else {
        FRENCH_MONTHS[first_of_month.month0() as usize].to_owned()
    }
}

/// `date`'s month and year, like `sept. 2026`.
pub fn month_year(date: NaiveDate) -> String {
    format!("{} {}", FRENCH_MONTHS[date.month0() as usize], date.year())
}

/// The finest month step whose ticks stand at least `min_columns` apart.
fn month_step(width: u16, days: i64, min_columns: i64) -> u32 {
    MONTH_STEPS
        .into_iter()
        .find(|&step| i64::from(width) * i64::from(step) * 30 >= min_columns * days)
        .unwrap_or(120)
}

/// One tick of the axis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tick {
    /// Column in the bar area.
    pub column: u16,
    /// The first day of the month it marks.
    pub month: NaiveDate,
    /// The label written above it, if there is room.
    pub label: Option<String>,
}

/// The month ticks of a window over `width` columns: months every 1, 3, 6… months so that ticks
/// stay two columns apart, labelled every 1, 3, 6, 12… months so that labels never touch (the
/// year at January).
pub fn month_ticks(start: NaiveDate, end: NaiveDate, width: u16) -> Vec<Tick> {
    let days = (end - start).num_days();
    if width == 0 || days <= 0 {
        return Vec::new();
    }
    let tick_step = month_step(width, days, TICK_MIN_COLUMNS);
    let label_step = month_step(width, days, LABEL_MIN_COLUMNS).max(tick_step);
    let Some(first_of_start) = start.with_day(1) else {
        return Vec::new();
    };
    let mut month = if start.day() == 1 {
        start
    } else {
        add_months(first_of_start, 1)
    };
    let mut ticks = Vec::new();
    while month < end {
        let index = i64::from(month.year()) * 12 + i64::from(month.month0());
        let labelled = index % i64::from(label_step) == 0;
        if (labelled || index % i64::from(tick_step) == 0)
            && let Some(column) = column(month, start, end, width)
        {
            ticks.push(Tick {
                column,
                month,
                label: labelled.then(|| month_label(month)),
            });
        }
        let next = add_months(month, 1);
        if next <= month {
            break;
        }
        month = next;
    }
    ticks
}

/// Zoom and scroll of the timeline: the window is `span` months long, with today (moved by the
/// scroll) at two thirds of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineView {
    zoom: usize,
    shift_months: i32,
}

impl Default for TimelineView {
    fn default() -> Self {
        Self {
            zoom: DEFAULT_ZOOM,
            shift_months: 0,
        }
    }
}

impl TimelineView {
    /// Months the window spans.
    pub fn span_months(self) -> u32 {
        SPANS_MONTHS.get(self.zoom).copied().unwrap_or(36)
    }

    /// Months one scroll moves: a sixth of the span.
    pub fn step_months(self) -> u32 {
        (self.span_months() / 6).max(1)
    }

    /// French description of the span: `6 mois`, `1 an`, `3 ans`.
    pub fn span_label(self) -> String {
        match self.span_months() {
            months if months < 12 => format!("{months} mois"),
            12 => "1 an".to_owned(),
            months => format!("{} ans", months / 12),
        }
    }

    /// The window `[start, end)` shown on `today`.
    pub fn window(self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let span = i32::try_from(self.span_months()).unwrap_or(36);
        let before = span * 2 / 3;
        let start = add_months(today, self.shift_months - before);
        let end = add_months(today, self.shift_months + span - before);
        (start, end)
    }

    /// Zooms in (a shorter span); false at the shortest.
    pub fn zoom_in(&mut self) -> bool {
        if self.zoom == 0 {
            return false;
        }
        self.zoom -= 1;
        true
    }

    /// Zooms out (a longer span); false at the longest.
    pub fn zoom_out(&mut self) -> bool {
        if self.zoom + 1 >= SPANS_MONTHS.len() {
            return false;
        }
        self.zoom += 1;
        true
    }

    /// Scrolls one step back (`forward` false) or forward in time, unless the data's edge in that
    /// direction (`bounds`, from [`date_bounds`]) is already in view. Returns true when it moved.
    pub fn scroll(
        &mut self,
        forward: bool,
        today: NaiveDate,
        bounds: (NaiveDate, NaiveDate),
    ) -> bool {
        let (start, end) = self.window(today);
        let step = i32::try_from(self.step_months()).unwrap_or(1);
        if forward {
            if end > bounds.1 {
                return false;
            }
            self.shift_months += step;
        } else {
            if start <= bounds.0 {
                return false;
            }
            self.shift_months -= step;
        }
        true
    }

    /// Back to today at two thirds of the window, keeping the zoom.
    pub fn recentre(&mut self) {
        self.shift_months = 0;
    }
}

/// One bar of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Validity start, else the training end date.
    pub from: NaiveDate,
    /// Last valid day; `None` when the training does not expire.
    pub to: Option<NaiveDate>,
    /// Status of the training.
    pub status: ExpiryStatus,
    /// True for the latest training of the type; older ones are drawn lighter, beneath it.
    pub current: bool,
}

/// One training type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineRow {
    /// The training's title (shown truncated with `…`).
    pub label: String,
    /// Its bars, older first; the current one last, drawn on top.
    pub segments: Vec<Segment>,
}

/// The earliest and latest dates worth scrolling to: every bar's ends and today.
pub fn date_bounds(rows: &[TimelineRow], today: NaiveDate) -> (NaiveDate, NaiveDate) {
    rows.iter()
        .flat_map(|r| &r.segments)
        .fold((today, today), |(lo, hi), s| {
            (lo.min(s.from), hi.max(s.to.unwrap_or(s.from)))
        })
}

/// The timeline widget: a header row of month labels and `auj.`, an axis row, then one row per
/// training type (the last row tells how many did not fit).
#[derive(Debug, Clone)]
pub struct Timeline<'a> {
    /// The rows, in display order.
    pub rows: &'a [TimelineRow],
    /// Today, drawn as a vertical line.
    pub today: NaiveDate,
    /// First day of the window.
    pub start: NaiveDate,
    /// Day after the window's last day.
    pub end: NaiveDate,
    /// Styles.
    pub theme: &'a Theme,
}

impl Timeline<'_> {
    /// Width of the label column for an area `width` columns wide.
    fn label_width(&self, width: u16) -> u16 {
        let longest = self
            .rows
            .iter()
            .map(|r| r.label.chars().count())
            .max()
            .unwrap_or(0);
        let longest = u16::try_from(longest).unwrap_or(u16::MAX).max(9);
        longest.min(24).min(width / 4)
    }

    fn header(&self, buf: &mut Buffer, x: u16, y: u16, width: u16, today: Option<u16>) {
        let ticks = month_ticks(self.start, self.end, width);
        // Today's label first, right of its line or else left of it so that it spares the year
        // labels; month labels give way to it.
        let label_len = TODAY_LABEL.chars().count() as u16;
        let years: Vec<(u16, u16)> = ticks
            .iter()
            .filter(|t| t.month.month() == 1 && t.label.is_some())
            .map(|t| (t.column, t.column + 4))
            .collect();
        let clashes = |(a, b): (u16, u16), (c, d): (u16, u16)| a < d + 1 && c < b + 1;
        let reserved = match today {
            Some(col) => {
                let fit = |at: u16| at.min(width.saturating_sub(label_len));
                let candidates = [fit(col), fit(col.saturating_sub(label_len))];
                let at = candidates
                    .into_iter()
                    .find(|&at| {
                        !years
                            .iter()
                            .any(|&year| clashes((at, at + label_len), year))
                    })
                    .unwrap_or(candidates[0]);
                buf.set_stringn(
                    x + at,
                    y,
                    TODAY_LABEL,
                    usize::from(width - at),
                    self.theme.title,
                );
                Some((at, at + label_len))
            }
            None if self.today < self.start => {
                buf.set_stringn(x, y, "◂ auj.", usize::from(width), self.theme.title);
                Some((0, 6))
            }
            None => {
                let at = width.saturating_sub(6);
                buf.set_stringn(
                    x + at,
                    y,
                    "auj. ▸",
                    usize::from(width - at),
                    self.theme.title,
                );
                Some((at, width))
            }
        };
        let mut free_from = 0u16;
        for tick in ticks {
            let Some(label) = tick.label else { continue };
            let len = label.chars().count() as u16;
            let (from, to) = (tick.column, tick.column + len);
            if from < free_from || to > width || reserved.is_some_and(|r| clashes(r, (from, to))) {
                continue;
            }
            buf.set_string(x + from, y, &label, self.theme.muted);
            free_from = to + 1;
        }
    }

    fn axis(&self, buf: &mut Buffer, x: u16, y: u16, width: u16) {
        for col in 0..width {
            buf[(x + col, y)]
                .set_symbol("─")
                .set_style(self.theme.muted);
        }
        for tick in month_ticks(self.start, self.end, width) {
            buf[(x + tick.column, y)].set_symbol("┬");
        }
    }

    fn segment(&self, buf: &mut Buffer, x: u16, y: u16, width: u16, segment: &Segment) {
        let Some(bar) = bar_columns(segment.from, segment.to, self.start, self.end, width) else {
            return;
        };
        let (fill, style) = if segment.current {
            // Reverse video would hide a full block: the monochrome theme keeps the status's
            // weight and tells statuses apart by the end marker.
            (
                "█",
                self.theme
                    .status(segment.status)
                    .remove_modifier(Modifier::REVERSED),
            )
        } else {
            ("░", self.theme.muted)
        };
        for col in bar.first..=bar.last {
            buf[(x + col, y)].set_symbol(fill).set_style(style);
        }
        if !segment.current {
            return;
        }
        if bar.clipped_left && bar.last > bar.first {
            buf[(x + bar.first, y)].set_symbol("«");
        }
        let (end_marker, end_style): (&str, Style) = match segment.to {
            None => ("→", style),
            Some(_) if bar.clipped_right => ("»", style),
            Some(_) => (
                Theme::marker(segment.status),
                self.theme.status(segment.status),
            ),
        };
        buf[(x + bar.last, y)]
            .set_symbol(end_marker)
            .set_style(end_style);
    }
}

impl Widget for Timeline<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.height < 3 || area.width < 12 {
            return;
        }
        let label_width = self.label_width(area.width);
        let bar_x = area.x + label_width + 1;
        let bar_width = area.width - label_width - 1;
        let today = column(self.today, self.start, self.end, bar_width);

        buf.set_stringn(
            area.x,
            area.y,
            "Formation",
            usize::from(label_width),
            self.theme.title,
        );
        self.header(buf, bar_x, area.y, bar_width, today);
        self.axis(buf, bar_x, area.y + 1, bar_width);
        if let Some(col) = today {
            buf[(bar_x + col, area.y + 1)]
                .set_symbol("┼")
                .set_style(self.theme.title);
        }

        let room = usize::from(area.height - 2);
        let shown = if self.rows.len() > room {
            room.saturating_sub(1)
        } else {
            self.rows.len()
        };
        for (index, row) in self.rows.iter().take(shown).enumerate() {
            let y = area.y + 2 + index as u16;
            let label = super::fit::shorten_title(&sanitize(&row.label), usize::from(label_width));
            buf.set_stringn(area.x, y, label, usize::from(label_width), self.theme.text);
            let mut segments: Vec<&Segment> = row.segments.iter().collect();
            segments.sort_by_key(|s| s.current);
            for segment in segments {
                self.segment(buf, bar_x, y, bar_width, segment);
            }
            if let Some(col) = today {
                let cell = &mut buf[(bar_x + col, y)];
                match cell.symbol() {
                    " " => {
                        cell.set_symbol("│").set_style(self.theme.muted);
                    }
                    "█" | "░" => {
                        cell.set_symbol("│");
                    }
                    _ => {}
                }
            }
        }
        if shown < self.rows.len() {
            let hidden = self.rows.len() - shown;
            let text = if hidden == 1 {
                "+1 autre formation".to_owned()
            } else {
                format!("+{hidden} autres formations")
            };
            let y = area.y + 2 + shown as u16;
            buf.set_stringn(area.x, y, text, usize::from(area.width), self.theme.muted);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn row_text(buf: &Buffer, y: u16) -> String {
        (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_owned())
            .collect()
    }

    #[test]
    fn window_edges_map_to_first_and_last_columns() {
        let (start, end) = (date(2026, 1, 1), date(2027, 1, 1));
        assert_eq!(column(start, start, end, 73), Some(0));
        assert_eq!(column(date(2026, 12, 31), start, end, 73), Some(72));
        assert_eq!(column(end, start, end, 73), None, "the end is exclusive");
        assert_eq!(column(date(2025, 12, 31), start, end, 73), None);
        assert_eq!(column(start, start, end, 0), None);
    }

    #[test]
    fn month_ends_fall_just_before_the_next_month() {
        // 365 days over 365 columns: one day per column, so month ends are exact.
        let (start, end) = (date(2026, 1, 1), date(2027, 1, 1));
        assert_eq!(column(date(2026, 1, 31), start, end, 365), Some(30));
        assert_eq!(column(date(2026, 2, 1), start, end, 365), Some(31));
        assert_eq!(column(date(2026, 2, 28), start, end, 365), Some(58));
        assert_eq!(column(date(2026, 3, 1), start, end, 365), Some(59));
        // Leap year: 29 February has its own column.
        let (start, end) = (date(2028, 1, 1), date(2029, 1, 1));
        assert_eq!(column(date(2028, 2, 29), start, end, 366), Some(59));
        assert_eq!(column(date(2028, 3, 1), start, end, 366), Some(60));
    }

    #[test]
    fn zoom_changes_the_span_around_two_thirds() {
        let today = date(2026, 11, 26);
        let mut view = TimelineView::default();
        assert_eq!(view.window(today), (date(2024, 11, 26), date(2027, 11, 26)));
        assert_eq!(view.span_label(), "3 ans");
        // Today sits at two thirds of the default window.
        let (start, end) = view.window(today);
        assert_eq!(column(today, start, end, 90), Some(60));
        assert!(view.zoom_in() && view.zoom_in() && view.zoom_in());
        assert_eq!(view.window(today), (date(2026, 7, 26), date(2027, 1, 26)));
        assert_eq!(view.span_label(), "6 mois");
        assert!(!view.zoom_in(), "6 months is the closest zoom");
        for _ in 0..5 {
            assert!(view.zoom_out());
        }
        assert!(!view.zoom_out(), "10 years is the widest zoom");
        assert_eq!(view.window(today), (date(2020, 3, 26), date(2030, 3, 26)));
        // The same date moves towards the left edge as the window widens.
        let (s, e) = view.window(today);
        assert_eq!(column(date(2026, 1, 1), s, e, 120), Some(69));
    }

    #[test]
    fn scrolling_stops_once_the_data_edge_is_in_view() {
        let today = date(2026, 11, 26);
        let bounds = (date(2022, 6, 15), date(2027, 6, 14));
        let mut view = TimelineView::default();
        // Step = 6 months at 3 years: 2024-11-26 → 2024-05-26 → … until 2022-06-15 is shown.
        let mut moves = 0;
        while view.scroll(false, today, bounds) {
            moves += 1;
            assert!(moves < 100);
        }
        let (start, _) = view.window(today);
        assert!(start <= bounds.0, "the earliest date is visible: {start}");
        assert!(
            start > add_months(bounds.0, -6),
            "no empty step beyond it: {start}"
        );
        assert_eq!(moves, 5);
        // Forward: 2027-11-26 already shows the latest date, so the view only comes back.
        let mut moves = 0;
        while view.scroll(true, today, bounds) {
            moves += 1;
        }
        assert_eq!(moves, 5);
        assert_eq!(view.window(today).1, date(2027, 11, 26));
        assert!(!view.scroll(true, today, bounds));
        view.recentre();
        assert_eq!(view, TimelineView::default());
    }

    #[test]
    fn scroll_step_follows_the_zoom() {
        let today = date(2026, 11, 26);
        let far = (date(2000, 1, 1), date(2040, 1, 1));
        let mut view = TimelineView::default();
        view.zoom_in();
        view.zoom_in();
        view.zoom_in();
        assert!(view.scroll(true, today, far));
        assert_eq!(
            view.window(today).0,
            date(2026, 8, 26),
            "one month at 6 months"
        );
        view.zoom_out();
        assert_eq!(view.step_months(), 2);
    }

    #[test]
    fn bars_are_clipped_to_the_window() {
        let (start, end) = (date(2026, 1, 1), date(2027, 1, 1));
        let inside = bar_columns(date(2026, 2, 1), Some(date(2026, 2, 28)), start, end, 365);
        assert_eq!(
            inside,
            Some(BarColumns {
                first: 31,
                last: 58,
                clipped_left: false,
                clipped_right: false
            })
        );
        let both = bar_columns(date(2020, 1, 1), Some(date(2030, 1, 1)), start, end, 365);
        assert_eq!(
            both,
            Some(BarColumns {
                first: 0,
                last: 364,
                clipped_left: true,
                clipped_right: true
            })
        );
        let open = bar_columns(date(2026, 7, 1), None, start, end, 10).unwrap();
        assert_eq!((open.last, open.clipped_right), (9, true));
        assert_eq!(
            bar_columns(date(2020, 1, 1), Some(date(2025, 12, 31)), start, end, 10),
            None
        );
        assert_eq!(bar_columns(date(2027, 1, 1), None, start, end, 10), None);
        assert_eq!(
            bar_columns(date(2026, 5, 1), Some(date(2026, 4, 1)), start, end, 10),
            None
        );
    }

    #[test]
    fn ticks_label_months_in_french_and_years_at_january() {
        let (start, end) = (date(2026, 1, 1), date(2027, 1, 1));
        let ticks = month_ticks(start, end, 120);
        assert_eq!(ticks.len(), 12);
        let labels: Vec<_> = ticks.iter().filter_map(|t| t.label.clone()).collect();
        assert_eq!(
            labels,
            [
                "2026", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
                "nov.", "déc."
            ]
        );
        // Narrower: ticks every month, labels every quarter.
        let ticks = month_ticks(start, end, 40);
        let labels: Vec<_> = ticks.iter().filter_map(|t| t.label.clone()).collect();
        assert_eq!(labels, ["2026", "avr.", "juil.", "oct."]);
        // Ten years in 60 columns: only years.
        let ticks = month_ticks(date(2020, 3, 26), date(2030, 3, 26), 60);
        let labels: Vec<_> = ticks.iter().filter_map(|t| t.label.clone()).collect();
        assert_eq!(labels, ["2022", "2024", "2026", "2028", "2030"]);
        assert_eq!(month_year(date(2026, 8, 3)), "août 2026");
    }

    #[test]
    fn widget_draws_bars_markers_today_and_overflow() {
        let theme = Theme::monochrome();
        let today = date(2026, 11, 26);
        let rows = vec![
            TimelineRow {
                label: "Sauveteur secouriste du travail".into(),
                segments: vec![
                    Segment {
                        from: date(2023, 1, 20),
                        to: Some(date(2025, 1, 19)),
                        status: ExpiryStatus::Expired,
                        current: false,
                    },
                    Segment {
                        from: date(2025, 2, 10),
                        to: Some(date(2027, 2, 9)),
                        status: ExpiryStatus::Expiring,
                        current: true,
                    },
                ],
            },
            TimelineRow {
                label: "Gestes et postures".into(),
                segments: vec![Segment {
                    from: date(2026, 1, 5),
                    to: None,
                    status: ExpiryStatus::NoExpiry,
                    current: true,
                }],
            },
            TimelineRow {
                label: "Habilitation électrique".into(),
                segments: vec![Segment {
                    from: date(2023, 5, 12),
                    to: Some(date(2026, 5, 11)),
                    status: ExpiryStatus::Expired,
                    current: true,
                }],
            },
        ];
        let (start, end) = TimelineView::default().window(today);
        let mut buf = Buffer::empty(Rect::new(0, 0, 60, 4));
        Timeline {
            rows: &rows,
            today,
            start,
            end,
            theme: &theme,
        }
        .render(buf.area, &mut buf);
        let header = row_text(&buf, 0);
        assert!(header.contains("auj."), "{header}");
        assert!(row_text(&buf, 1).contains('┼'));
        let sst = row_text(&buf, 2);
        assert!(sst.starts_with("Sauveteur seco…"), "{sst}");
        assert!(
            sst.contains('░') && sst.contains('█') && sst.contains('!') && sst.contains('│'),
            "{sst}"
        );
        // Two rows do not fit: the last line says so.
        assert_eq!(row_text(&buf, 3).trim_end(), "+2 autres formations");

        let mut buf = Buffer::empty(Rect::new(0, 0, 60, 5));
        Timeline {
            rows: &rows,
            today,
            start,
            end,
            theme: &theme,
        }
        .render(buf.area, &mut buf);
        assert!(
            row_text(&buf, 3).ends_with('→'),
            "open-ended bar runs to the edge"
        );
        let expired = row_text(&buf, 4);
        assert!(expired.contains('✖') && expired.contains('«'), "{expired}");
    }

    #[test]
    fn today_outside_the_window_is_pointed_at() {
        let theme = Theme::monochrome();
        let today = date(2026, 11, 26);
        let mut view = TimelineView::default();
        let far = (date(2000, 1, 1), date(2040, 1, 1));
        for _ in 0..5 {
            assert!(view.scroll(true, today, far));
        }
        let (start, end) = view.window(today);
        let mut buf = Buffer::empty(Rect::new(0, 0, 60, 3));
        Timeline {
            rows: &[],
            today,
            start,
            end,
            theme: &theme,
        }
        .render(buf.area, &mut buf);
        assert!(row_text(&buf, 0).contains("◂ auj."));
    }

    proptest! {
        #[test]
        fn columns_are_monotonic_and_in_range(
            a in 0i64..4000, b in 0i64..4000, span in 1i64..4000, width in 1u16..400,
        ) {
            let start = date(2020, 1, 1);
            let end = start + chrono::Duration::days(span);
            let (da, db) = (start + chrono::Duration::days(a.min(b)), start + chrono::Duration::days(a.max(b)));
            match (column(da, start, end, width), column(db, start, end, width)) {
                (Some(ca), Some(cb)) => {
                    prop_assert!(ca <= cb);
                    prop_assert!(cb < width);
                }
                (Some(_), None) => prop_assert!(db >= end),
                (None, _) => prop_assert!(da >= end),
            }
        }
    }
}
