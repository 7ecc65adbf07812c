// cgroup delegation without systemd: `ctopbroker setup --user NAME` makes
// <hierarchy>/ctopbroker/NAME on every cgroup hierarchy and gives it to the
// user; the user's session moves itself there, and liblxc creates each
// container's cgroups (lxc.payload.NAME) below it, where memory and pids
// limits apply. On systemd machines the user manager's delegated subtree
// (user@UID.service) serves instead; see README "Logging in".
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace ctop::cgroups {

// Mount points of the cgroup hierarchies (v1 controllers and cgroup2), from
// /proc/self/mountinfo.
std::vector<std::filesystem::path> hierarchies();

// <hierarchy>/ctopbroker/<user>
std::filesystem::path delegated_dir(const std::filesystem::path& hierarchy, const std::string& user);

// Creates and hands over the user's subtree on every hierarchy; returns what
// it changed (empty when all was in place). Needs root; throws with the fix.
std::vector<std::string> delegate_to(const std::string& user, uid_t uid, gid_t gid);

// Removes the user's subtree from every hierarchy (what `setup --remove-user`
// undoes); returns what it removed. Throws naming the cgroup when a process
// still lives in it (the user's session or containers run).
std::vector<std::string> undelegate(const std::string& user);

// The users that have a subtree under <hierarchy>/ctopbroker on some hierarchy.
std::vector<std::string> delegated_users();

// Moves the calling process into the user's delegated subtree on every
// hierarchy where it is not there yet and may be; returns the hierarchies
// where that failed (cgroup2 refuses a normal user a move out of a cgroup it
// does not own: there the login has to place the session).
std::vector<std::string> join_delegated(const std::string& user);

// Whether the calling process sits in a cgroup its user may create children
// in, on every hierarchy (what liblxc needs for an unprivileged container);
// `missing` gets the hierarchies where it does not.
bool can_create_cgroups(std::vector<std::string>* missing = nullptr);

}  // namespace ctop::cgroups
