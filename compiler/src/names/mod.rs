//! Emitted names: every name a build target writes (NetBox names and slugs, Kubernetes object
//! names, namespaces and label values, the per-site folder names) is derived here and nowhere
//! else, so the checks see exactly the names the targets emit.
//!
//! Two kinds of name leave the compiler. NetBox *names* are the user's names as written, joined
//! with the structure (`<hall>-<row>-<nn>` for a rack): they are never shortened, and a name over
//! NetBox's length limit is a diagnostic (E0307). *Slugs* and Kubernetes names are derived: lower
//! case, dashes, within the target's limit. A slug too long for its limit is shortened to a head
//! and a stable hash of the whole slug, so two long names that differ only at the end still give
//! two names; two user names whose slugs are equal give one emitted name, which is a diagnostic
//! (E0301 in `resolve` for names of one kind, E0306 for names joined from several).
//!
//! Rows and racks written with `count=` are not expanded here: rack names are formed by the
//! functions below, one rack at a time, by the build view, and the checks reason about the
//! `<hall>-<row>` prefix that every rack of a row shares.
//!
//! `rules` holds the text functions; this module applies them to a resolved factory.

pub mod rules;

pub use rules::*;

use crate::model::Factory;
/// The emitted names of the things a factory declares once (not the expanded racks: see the
/// functions above), in the order of the model's vectors.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Names {
    /// The factory's slug: NetBox tenant slug, Kubernetes serving namespace, `part-of` label value.
    pub factory: String,
    pub sites: Vec<SiteNames>,
    pub fabrics: Vec<String>,
    pub workloads: Vec<WorkloadNames>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SiteNames {
    /// NetBox site slug and the site's folder in the `kubernetes` target.
    pub slug: String,
    /// NetBox location slug of each hall.
    pub halls: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkloadNames {
    pub slug: String,
    /// The Kubernetes object name of its queues, serving objects and ComputeDomains.
    pub kube_name: String,
}

/// Derives the names of a resolved factory.
pub fn derive(factory: &Factory) -> Names {
    Names {
        factory: slug(&factory.name.value),
        sites: factory
            .sites
            .iter()
            .map(|s| SiteNames {
                slug: slug(&s.name.value),
                halls: s.halls.iter().map(|h| slug(&h.name.value)).collect(),
            })
            .collect(),
        fabrics: factory.fabrics.iter().map(|f| slug(&f.name.value)).collect(),
        workloads: factory
            .workloads
            .iter()
            .map(|w| WorkloadNames { slug: slug(&w.name.value), kube_name: kube_name(&w.name.value) })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_identifiers() {
        assert_eq!(slug("Frankfurt 1"), "frankfurt-1");
        assert_eq!(slug("${evil}\"\n"), "evil");
        assert!(slug("🚀").starts_with('x'));
        assert!(slug(&"a".repeat(200)).len() <= SLUG_MAX);
    }

    #[test]
    fn shortening_keeps_what_tells_long_names_apart() {
        let hall = "h".repeat(60);
        let a = rack_label(&rack_name(&hall, "A", 1));
        let b = rack_label(&rack_name(&hall, "A", 2));
        assert_ne!(a, b);
        assert_eq!(a.len(), SLUG_MAX);
        assert!(is_label_value(&a) && is_dns1123_label(&a));
        // Short names are left alone.
        assert_eq!(shorten("abc", 5), "abc");
        assert_eq!(rack_label("Hall A-R1-01"), "hall-a-r1-01");
    }

    #[test]
    fn kube_names_start_with_a_letter_and_fit() {
        assert_eq!(kube_name("1chat"), "w-1chat");
        assert_eq!(kube_name("Chat Large"), "chat-large");
        let long_a = kube_name(&format!("{}-a", "x".repeat(45)));
        let long_b = kube_name(&format!("{}-b", "x".repeat(45)));
        assert_ne!(long_a, long_b);
        assert!(long_a.len() <= KUBE_OBJECT_MAX && is_dns1123_label(&long_a));
    }

    #[test]
    fn kubernetes_name_grammars() {
        assert!(is_dns1123_subdomain("a.b-c"));
        assert!(!is_dns1123_subdomain("a..b"));
        assert!(!is_dns1123_label("-a"));
        assert!(is_label_value("") && is_label_value("A_b.c"));
        assert!(!is_label_value("a b"));
    }
}
