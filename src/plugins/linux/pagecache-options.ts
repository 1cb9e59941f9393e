/** What linux.pagecache.Files and linux.pagecache.InodePages share. */
export const PAGE_SIZE = 4096n;
export const FIND_OPTION = { name: 'find', type: 'str', description: 'Filename (full path) to find' } as const;
