// <sys/kernel_types.h>: the opaque BSD KPI handle types kexts name in declarations (xnu
// bsd/sys/kernel_types.h, the KERNEL view for kexts). Only the names: OpenIOKit implements no
// BSD KPI (mbufs, sockets, vnodes) behind them. Linux has no header of this name, so this one
// shadows nothing.
#pragma once

#include <stdint.h>

typedef int64_t daddr64_t;

typedef struct __ifnet *ifnet_t;
typedef struct __mbuf *mbuf_t;
typedef struct __pkthdr *pkthdr_t;
typedef struct __socket *socket_t;
typedef struct __sockopt *sockopt_t;
typedef struct __ifaddr *ifaddr_t;
typedef struct __ifmultiaddr *ifmultiaddr_t;
typedef struct __ifnet_filter *interface_filter_t;
typedef struct __rtentry *route_t;
typedef struct __if_clone *if_clone_t;
typedef struct __bufattr *bufattr_t;

typedef struct buf *buf_t;
typedef struct file *file_t;
typedef struct ucred *ucred_t;
typedef struct mount *mount_t;
typedef struct vnode *vnode_t;
typedef struct proc *proc_t;
typedef struct uio *uio_t;
typedef struct vfs_context *vfs_context_t;
typedef struct vfstable *vfstable_t;

typedef struct kauth_ace *kauth_ace_t;
typedef struct kauth_acl *kauth_acl_t;
typedef struct kauth_filesec *kauth_filesec_t;
typedef int kauth_action_t;
