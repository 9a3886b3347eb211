// <libkern/c++/OSMetaClass.h>: libkern's run-time type system.
//
// Every libkern class has one static metaclass object (declared by OSDeclareDefaultStructors,
// defined by OSDefineMetaClassAndStructors) that knows the class name, its superclass, its size,
// how to allocate an instance, and how many instances are alive. The metaclasses of a kext are
// constructed by its static constructors while the loader holds the module-load window open
// (preModLoad .. postModLoad), so the kernel knows which kext defined which class and can refuse
// to unload a kext whose classes still have instances (iokit-semantics.md §1.6, §4.4).
#pragma once

#include <libkern/OSReturn.h>
#include <libkern/OSTypes.h>
#include <stddef.h>

class OSMetaClass;
class OSObject;
class OSString;
class OSSymbol;
class OSDictionary;
class OSSerialize;
class OSCollection;

// Kernel.framework's ABI annotations. On a Mac they steer the kext ABI; here they only keep
// sources that use them compiling.
#define APPLE_KEXT_OVERRIDE override
#define APPLE_KEXT_COMPATIBILITY
#define APPLE_KEXT_COMPATIBILITY_VIRTUAL virtual
#define APPLE_KEXT_VTABLE_PADDING
#define APPLE_KEXT_LEGACY_ABI
#define APPLE_KEXT_DEPRECATED __attribute__((deprecated))
#define APPLE_KEXT_WSHADOW_PUSH
#define APPLE_KEXT_WSHADOW_POP
#define APPLE_KEXT_PAC_ONLY
#define APPLE_KEXT_PAC_NOT
#define APPLE_KEXT_ABSTRACT

// The root of everything that has a metaclass, including metaclasses themselves.
class OSMetaClassBase {
public:
    // Dynamic cast by metaclass: nullptr when `me` is null or not a kind of `toType`.
    static OSMetaClassBase* safeMetaCast(const OSMetaClassBase* me, const OSMetaClass* toType);
    // True when `inst` is of the same class as (or a subclass of) `typeinst`'s class.
    static bool checkTypeInst(const OSMetaClassBase* inst, const OSMetaClassBase* typeinst);
    // Kernel start-up hook; classes register themselves, so nothing is left to do here.
    static void initialize();

    virtual int getRetainCount() const = 0;
    virtual void retain() const = 0;
    virtual void release() const = 0;
    virtual bool serialize(OSSerialize* serializer) const = 0;
    virtual const OSMetaClass* getMetaClass() const = 0;
    virtual bool isEqualTo(const OSMetaClassBase* anObject) const;

    OSMetaClassBase* metaCast(const OSMetaClass* toMeta) const;
    OSMetaClassBase* metaCast(const OSSymbol* toMeta) const;
    OSMetaClassBase* metaCast(const OSString* toMeta) const;
    OSMetaClassBase* metaCast(const char* toMeta) const;

    virtual void taggedRetain(const void* tag = nullptr) const = 0;
    virtual void taggedRelease(const void* tag = nullptr) const = 0;

protected:
    OSMetaClassBase();
    virtual ~OSMetaClassBase();

    // Release, freeing the object when the count before the release is <= freeWhen. Lets a
    // collection that holds references to itself break the cycle.
    virtual void release(int freeWhen) const = 0;
    virtual void taggedRelease(const void* tag, const int freeWhen) const = 0;

private:
    OSMetaClassBase(const OSMetaClassBase&) = delete;
    OSMetaClassBase& operator=(const OSMetaClassBase&) = delete;
};

class OSMetaClass : public OSMetaClassBase {
public:
    // --- Look-up and allocation by name -------------------------------------------------------
    static const OSMetaClass* getMetaClassWithName(const OSSymbol* name);
    static const OSMetaClass* getMetaClassWithName(const char* name);
    static OSObject* allocClassWithName(const OSSymbol* name);
    static OSObject* allocClassWithName(const OSString* name);
    static OSObject* allocClassWithName(const char* name);
    static OSMetaClassBase* checkMetaCastWithName(const OSSymbol* className, const OSMetaClassBase* object);
    static OSMetaClassBase* checkMetaCastWithName(const OSString* className, const OSMetaClassBase* object);
    static OSMetaClassBase* checkMetaCastWithName(const char* className, const OSMetaClassBase* object);

    // --- This class ---------------------------------------------------------------------------
    // `object` if it is an instance of this class or of a subclass, else nullptr.
    OSMetaClassBase* checkMetaCast(const OSMetaClassBase* object) const;
    // Direct live instances plus the number of direct subclasses that have live instances.
    unsigned int getInstanceCount() const;
    const OSMetaClass* getSuperClass() const;
    // Bundle identifier of the kext that defined the class ("__kernel__" for built-in classes).
    const OSSymbol* getKmodName() const;
    const char* getClassName() const;
    const OSSymbol* getClassNameSymbol() const;
    unsigned int getClassSize() const;
    // A new instance, default-constructed, retain count 1, not yet init'ed; nullptr if abstract.
    virtual OSObject* alloc() const = 0;

    // Instance accounting; called by the generated constructors and by OSObject::free.
    void instanceConstructed() const;
    void instanceDestructed() const;

    // --- Module (kext) hooks, used by the kext loader around dlopen ---------------------------
    // Opens the module-load window: every metaclass constructed until postModLoad belongs to
    // `kextIdentifier`. Only one module loads at a time; the window is held by the caller.
    static void* preModLoad(const char* kextIdentifier);
    // True if the classes constructed so far in the window are well-formed (no duplicates).
    static bool checkModLoad(void* loadHandle);
    // Closes the window. On success the module's classes become visible by name; on a duplicate
    // class name nothing is registered and kOSMetaClassDuplicateClass is returned.
    static OSReturn postModLoad(void* loadHandle);
    static bool modHasInstance(const char* kextIdentifier);
    // Logs one line per class of the module that has instances, in xnu's words.
    static void reportModInstances(const char* kextIdentifier);
    // Unregisters every class of the module, or none: kOSMetaClassHasInstances if any has a
    // live instance. After success the classes can no longer be allocated by name.
    static OSReturn removeClasses(const char* kextIdentifier);
    // name -> OSNumber(instance count) for every registered class (what ioclasscount shows).
    static void serializeClassDictionary(OSDictionary* dictionary);
    static void printInstanceCounts();

    // Metaclasses are static objects: reference counting is a no-op.
    int getRetainCount() const override;
    void retain() const override;
    void release() const override;
    void taggedRetain(const void* tag = nullptr) const override;
    void taggedRelease(const void* tag = nullptr) const override;
    bool serialize(OSSerialize* serializer) const override;
    const OSMetaClass* getMetaClass() const override;

    // Called by OSMetaClassDefineReservedUnused padding slots; reaching one is a bug.
    void reservedCalled(int index) const;

protected:
    OSMetaClass(const char* className, const OSMetaClass* superclass, unsigned int classSize);
    ~OSMetaClass() override;

    void release(int freeWhen) const override;
    void taggedRelease(const void* tag, const int freeWhen) const override;

private:
    friend class OSMetaClassRegistry;

    const char* className_;
    const OSMetaClass* superClassLink_;
    unsigned int classSize_;
    mutable int instanceCount_;                   // accessed atomically
    mutable const OSSymbol* classNameSymbol_;     // created on first use, never released
    mutable const OSSymbol* kmodNameSymbol_;      // created on first use, never released
    const char* kmodName_;                        // owned by the class registry
};

// --- Casts ------------------------------------------------------------------------------------

#define OSTypeID(type) (type::metaClass)
#define OSTypeIDInst(typeinst) ((typeinst)->getMetaClass())
#define OSDynamicCast(type, inst) ((type*)OSMetaClassBase::safeMetaCast((inst), OSTypeID(type)))
#define OSCheckTypeInst(typeinst, inst) OSMetaClassBase::checkTypeInst(inst, typeinst)
#define OSTypeAlloc(type) ((type*)((type::metaClass)->alloc()))
#define OSSafeRelease(inst) do { if (inst) (inst)->release(); } while (0)
#define OSSafeReleaseNULL(inst) do { if (inst) { (inst)->release(); (inst) = NULL; } } while (0)

// A pointer to a member function as a plain function taking `this` first (what Apple's
// OSMemberFunctionCast yields with the Itanium ABI for a non-virtual or virtual member).
template <typename Func, typename Obj, typename Member>
inline Func OSMemberFunctionCastImpl(const Obj* self, Member member)
{
    static_assert(sizeof(Member) == 2 * sizeof(void*), "Itanium ABI member-function pointer");
    struct Raw {
        uintptr_t ptr;
        ptrdiff_t adj;
    } raw;
    __builtin_memcpy(&raw, &member, sizeof raw);
    if (raw.ptr & 1) {  // virtual: ptr - 1 is the vtable offset
        const char* object = reinterpret_cast<const char*>(self) + raw.adj;
        const char* vtable = *reinterpret_cast<const char* const*>(object);
        return *reinterpret_cast<Func const*>(vtable + raw.ptr - 1);
    }
    return reinterpret_cast<Func>(raw.ptr);
}
#define OSMemberFunctionCast(cptrtype, self, func) OSMemberFunctionCastImpl<cptrtype>(self, func)

// --- Declaration macros (inside the class body) -----------------------------------------------

#define OSDeclareCommonStructors(className, ...)                                              \
private:                                                                                     \
    static const OSMetaClass* const superClass;                                              \
                                                                                             \
public:                                                                                      \
    static const OSMetaClass* const metaClass;                                               \
    static class MetaClass : public OSMetaClass {                                            \
    public:                                                                                  \
        MetaClass();                                                                         \
        OSObject* alloc() const override;                                                    \
    } gMetaClass;                                                                            \
    friend class className::MetaClass;                                                       \
    const OSMetaClass* getMetaClass() const override;                                        \
                                                                                             \
protected:                                                                                   \
    className(const OSMetaClass*);                                                           \
    ~className() override

#define OSDeclareDefaultStructors(className, ...) \
    OSDeclareCommonStructors(className);          \
                                                  \
public:                                           \
    className();                                  \
                                                  \
protected:                                        \
    static_assert(true, "")

#define OSDeclareAbstractStructors(className, ...) \
    OSDeclareCommonStructors(className);           \
                                                   \
private:                                           \
    className() = delete;                          \
                                                   \
protected:                                         \
    static_assert(true, "")

#define OSDeclareFinalStructors(className, ...) OSDeclareDefaultStructors(className)
#define OSDeclareDefaultStructorsWithDispatch(className, ...) OSDeclareDefaultStructors(className)
#define OSDeclareAbstractStructorsWithDispatch(className, ...) OSDeclareAbstractStructors(className)

// --- Definition macros (at namespace scope, in one .cpp) --------------------------------------

#define OSDefineMetaClassWithInit(className, superclassName, init)                              \
    className::MetaClass className::gMetaClass;                                                 \
    const OSMetaClass* const className::metaClass = &className::gMetaClass;                     \
    const OSMetaClass* const className::superClass = &superclassName::gMetaClass;               \
    className::MetaClass::MetaClass() : OSMetaClass(#className, className::superClass, sizeof(className)) \
    {                                                                                           \
        init;                                                                                   \
    }                                                                                           \
    const OSMetaClass* className::getMetaClass() const { return &gMetaClass; }                  \
    static_assert(true, "")

#define OSDefineAbstractStructors(className, superclassName)                 \
    OSObject* className::MetaClass::alloc() const { return nullptr; }        \
    className::className(const OSMetaClass* meta) : superclassName(meta) {}  \
    className::~className() {}                                               \
    static_assert(true, "")

#define OSDefineDefaultStructors(className, superclassName)                         \
    OSObject* className::MetaClass::alloc() const { return new className; }         \
    className::className() : superclassName(&gMetaClass) { gMetaClass.instanceConstructed(); } \
    className::className(const OSMetaClass* meta) : superclassName(meta) {}         \
    className::~className() {}                                                      \
    static_assert(true, "")

#define OSDefineMetaClass(className, superclassName) OSDefineMetaClassWithInit(className, superclassName, )
#define OSDefineMetaClassAndStructorsWithInit(className, superclassName, init) \
    OSDefineMetaClassWithInit(className, superclassName, init);                \
    OSDefineDefaultStructors(className, superclassName)
#define OSDefineMetaClassAndAbstractStructorsWithInit(className, superclassName, init) \
    OSDefineMetaClassWithInit(className, superclassName, init);                        \
    OSDefineAbstractStructors(className, superclassName)
#define OSDefineMetaClassAndStructors(className, superclassName) \
    OSDefineMetaClassAndStructorsWithInit(className, superclassName, )
#define OSDefineMetaClassAndAbstractStructors(className, superclassName) \
    OSDefineMetaClassAndAbstractStructorsWithInit(className, superclassName, )
#define OSDefineMetaClassAndFinalStructors(className, superclassName) \
    OSDefineMetaClassAndStructors(className, superclassName)
#define OSDefineMetaClassAndStructorsWithZone(className, superclassName, zone) \
    OSDefineMetaClassAndStructors(className, superclassName)

// Vtable padding slots. Apple reserves them for binary compatibility; here they are ordinary
// private virtuals that report a bug if ever reached.
#define OSMetaClassDeclareReservedUnused(className, index) \
private:                                                   \
    virtual void _RESERVED##className##index()
#define OSMetaClassDeclareReservedUsed(className, index)
#define OSMetaClassDeclareReservedUsedX86(className, index)
#define OSMetaClassDeclareReservedUnusedX86(className, index) OSMetaClassDeclareReservedUnused(className, index)
#define OSMetaClassDefineReservedUnused(className, index) \
    void className::_RESERVED##className##index() { gMetaClass.reservedCalled(index); }
#define OSMetaClassDefineReservedUsed(className, index)
#define OSMetaClassDefineReservedUsedX86(className, index)
#define OSMetaClassDefineReservedUnusedX86(className, index) OSMetaClassDefineReservedUnused(className, index)
