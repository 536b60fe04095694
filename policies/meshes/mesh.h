#pragma once
// The service meshes meshward guards (their facts are in mesh_profile.h).

namespace meshward::policies {

enum class Mesh { Istio, Linkerd, Consul };

}  // namespace meshward::policies
