//! Counting catalog parts for the bill of materials: how many of each part, where it first
//! appears, and how many per site (the basis a line gives).

use super::bom::PerSite;
use crate::source::Span;

/// Counts per catalog part, in order of first appearance, with counts per site for the basis. A
/// part is the same part when it is the same catalog entry (`std::ptr::eq`): the model borrows
/// its parts from the catalog, so nothing is looked up again by id.
pub(super) struct Tally<'c, T> {
    pub(super) items: Vec<TallyItem<'c, T>>,
}

impl<T> Default for Tally<'_, T> {
    fn default() -> Self {
        Tally { items: Vec::new() }
    }
}

pub(super) struct TallyItem<'c, T> {
    pub(super) part: &'c T,
    pub(super) count: u64,
    pub(super) per_site: PerSite,
    pub(super) span: Option<Span>,
}

impl<'c, T> Tally<'c, T> {
    pub(super) fn add(&mut self, part: &'c T, site: &str, n: u64, span: Option<Span>) {
        if n == 0 {
            return;
        }
        let item = match self.items.iter_mut().position(|i| std::ptr::eq(i.part, part)) {
            Some(i) => self.items.get_mut(i),
            None => {
                self.items.push(TallyItem { part, count: 0, per_site: Vec::new(), span });
                self.items.last_mut()
            }
        };
        let Some(item) = item else { return };
        item.count = item.count.saturating_add(n);
        match item.per_site.iter_mut().find(|(s, _)| s == site) {
            Some((_, c)) => *c = c.saturating_add(n),
            None => item.per_site.push((site.to_string(), n)),
        }
    }
}
