-- The image gives MYSQL_USER rights on MYSQL_DATABASE only. The tests also
-- create and drop throwaway databases named prompt_library_test_<random>.
GRANT ALL PRIVILEGES ON `prompt\_library\_test\_%`.* TO 'tutorial'@'%';
