DROP TABLE pkg_items;
