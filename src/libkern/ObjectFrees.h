// Frees in flight. When an object's last reference goes, its class's instance count reaches
// zero inside OSObject::free(), but the kext's own code still runs after that: the rest of its
// free() override and its destructors. A kext may be unloaded as soon as its classes have no
// instances, so the loader calls drainObjectFrees() before dlclose: it waits until every free()
// that was running on another thread has returned into the kernel library. (xnu has the same
// window; its unloads come much later, from kextd, which hides it. Ours can come at once.)
#pragma once

namespace openiokit {

// Waits until no thread other than the caller is inside OSObject::free() of some object.
void drainObjectFrees();

}  // namespace openiokit
