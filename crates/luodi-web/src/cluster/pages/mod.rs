//! The cluster's pages: the 亩均 evaluation ([`mu`]) and the post-completion checks
//! ([`completion`]).

pub mod completion;
pub mod mu;
