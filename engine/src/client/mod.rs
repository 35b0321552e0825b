//! The `migrate` and `migration list` client commands (the novaclient/openstackclient work
//! item of the seed), over the same `osclient` sessions as the suite.
pub mod migrate;
pub mod migration_list;
pub mod output;
