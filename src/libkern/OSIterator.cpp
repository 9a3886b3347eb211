// OSIterator: the abstract iterator class.
#include <libkern/c++/OSIterator.h>

OSDefineMetaClassAndAbstractStructors(OSIterator, OSObject);
