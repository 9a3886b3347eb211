// Kernel half of the IOCF round-trip tests: builds and serializes a sample with OSSerialize and
// parses text with OSUnserializeXML, reporting objects in the canonical form of kernel_xml_helper.h.
#include "kernel_xml_helper.h"

#include <libkern/c++/OSContainers.h>
#include <libkern/c++/OSSerialize.h>
#include <libkern/c++/OSUnserialize.h>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace {

std::string canonical(const OSObject* object)
{
    if (auto* dictionary = OSDynamicCast(OSDictionary, object)) {
        std::vector<std::string> entries;
        const_cast<OSDictionary*>(dictionary)->iterateObjects([&](const OSSymbol* key, OSObject* value) {
            entries.push_back(std::string(key->getCStringNoCopy()) + "=" + canonical(value));
            return false;
        });
        std::sort(entries.begin(), entries.end());
        std::string out = "{";
        for (auto& entry : entries) {
            out += entry + ";";
        }
        return out + "}";
    }
    if (auto* array = OSDynamicCast(OSArray, object)) {
        std::string out = "[";
        for (unsigned i = 0; i < array->getCount(); i++) {
            out += canonical(array->getObject(i)) + ",";
        }
        return out + "]";
    }
    if (auto* set = OSDynamicCast(OSSet, object)) {
        std::vector<std::string> members;
        const_cast<OSSet*>(set)->iterateObjects([&](OSObject* member) {
            members.push_back(canonical(member));
            return false;
        });
        std::sort(members.begin(), members.end());
        std::string out = "<";
        for (auto& member : members) {
            out += member + ",";
        }
        return out + ">";
    }
    if (auto* string = OSDynamicCast(OSString, object)) {
        return "\"" + std::string(string->getCStringNoCopy()) + "\"";
    }
    if (auto* number = OSDynamicCast(OSNumber, object)) {
        const unsigned bits = number->numberOfBits();
        unsigned long long value = number->unsigned64BitValue();
        if (bits < 64 && (value >> (bits - 1)) & 1) {
            value |= ~0ull << bits; // sign-extend
        }
        return "i" + std::to_string(bits) + ":" + std::to_string(static_cast<long long>(value));
    }
    if (auto* boolean = OSDynamicCast(OSBoolean, object)) {
        return boolean->isTrue() ? "true" : "false";
    }
    if (auto* data = OSDynamicCast(OSData, object)) {
        std::string out = "data:";
        auto* bytes = static_cast<const unsigned char*>(data->getBytesNoCopy());
        for (unsigned i = 0; i < data->getLength(); i++) {
            char hex[3];
            std::snprintf(hex, sizeof hex, "%02x", bytes[i]);
            out += hex;
        }
        return out;
    }
    return "?";
}

OSDictionary* sample()
{
    OSDictionary* root = OSDictionary::withCapacity(16);
    OSString* shared = OSString::withCString("a <b> & \"c\" ünïcode");
    OSArray* array = OSArray::withCapacity(4);
    array->setObject(shared);
    array->setObject(kOSBooleanTrue);
    OSNumber* n8 = OSNumber::withNumber(0xffull, 8); // -1 as SInt8
    OSNumber* n16 = OSNumber::withNumber(0x1234ull, 16);
    OSNumber* n32 = OSNumber::withNumber(0x80000000ull, 32); // INT32_MIN
    OSNumber* n64 = OSNumber::withNumber(0xffffffffffffffffull, 64);
    const unsigned char bytes[] = {0, 1, 2, 0xfe, 0xff};
    OSData* data = OSData::withBytes(bytes, sizeof bytes);
    OSData* empty = OSData::withCapacity(0);
    OSSet* set = OSSet::withCapacity(2);
    set->setObject(n16);
    set->setObject(shared);
    OSDictionary* nested = OSDictionary::withCapacity(2);
    nested->setObject("IOProviderClass", shared);
    root->setObject("string", shared);
    root->setObject("n8", n8);
    root->setObject("n16", n16);
    root->setObject("n32", n32);
    root->setObject("n64", n64);
    root->setObject("data", data);
    root->setObject("empty", empty);
    root->setObject("yes", kOSBooleanTrue);
    root->setObject("no", kOSBooleanFalse);
    root->setObject("list", array);
    root->setObject("again<&>", array); // the same array twice: the second is a reference
    root->setObject("set", set);
    root->setObject("nested", nested);
    for (OSObject* object : std::initializer_list<OSObject*>{shared, array, n8, n16, n32, n64, data, empty, set, nested}) {
        object->release();
    }
    return root;
}

} // namespace

namespace kernel_xml {

std::string sampleXML()
{
    OSDictionary* root = sample();
    OSSerialize* serializer = OSSerialize::withCapacity(1024);
    std::string text = root->serialize(serializer) ? serializer->text() : "";
    serializer->release();
    root->release();
    return text;
}

std::string sampleCanonical()
{
    OSDictionary* root = sample();
    std::string text = canonical(root);
    root->release();
    return text;
}

std::optional<std::string> parse(const std::string& xml, std::string* error)
{
    OSString* errorString = nullptr;
    OSObject* object = OSUnserializeXML(xml.c_str(), xml.size() + 1, &errorString);
    if (!object) {
        if (error) {
            *error = errorString ? errorString->getCStringNoCopy() : "(no error text)";
        }
        OSSafeReleaseNULL(errorString);
        return std::nullopt;
    }
    std::string text = canonical(object);
    object->release();
    return text;
}

} // namespace kernel_xml
